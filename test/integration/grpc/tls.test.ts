/**
 * HOBOM_GRPC_TLS_CERT: with it every connection is TLS, verified against that CA; a server that
 * speaks plaintext, or presents a certificate the CA did not sign, is refused (the Go processor
 * fell back to plaintext when the file did not load).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BackendChannels, createBackendChannels } from "../../../src/grpc/channels.ts";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import { BackendCallError } from "../../../src/grpc/status.ts";
import type { MessagePayload } from "../../../src/hobom/wire-types.ts";
import { loadFindDecoders, type PendingRows } from "../../../src/sources/grpc-outbox/find-decoder.ts";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";

const API_KEY = "tls-test-key";
let dir: string;
let tlsBackend: HoBomBackendDouble;
let plainBackend: HoBomBackendDouble;

/** A self-signed certificate for 127.0.0.1: it is its own CA. */
function selfSigned(name: string, subjectAltName = "IP:127.0.0.1,DNS:localhost"): { keyPem: Buffer; certPem: Buffer } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  const made = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      `subjectAltName=${subjectAltName}`,
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stderr: "pipe" },
  );
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { keyPem: readFileSync(key), certPem: readFileSync(cert) };
}

let serverCert: { keyPem: Buffer; certPem: Buffer };
let otherCa: { keyPem: Buffer; certPem: Buffer };
let wrongName: { keyPem: Buffer; certPem: Buffer };
let wrongNameBackend: HoBomBackendDouble;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hobom-tls-"));
  serverCert = selfSigned("server");
  otherCa = selfSigned("other");
  wrongName = selfSigned("wrong-name", "DNS:backend.example");
  tlsBackend = await startHoBomBackend({ apiKey: API_KEY, tls: serverCert });
  plainBackend = await startHoBomBackend({ apiKey: API_KEY });
  wrongNameBackend = await startHoBomBackend({ apiKey: API_KEY, tls: wrongName });
  tlsBackend.messages.add({ payload: messagePayload({ title: "over TLS" }) });
});

afterAll(() => {
  tlsBackend.stop();
  plainBackend.stop();
  wrongNameBackend.stop();
  rmSync(dir, { recursive: true, force: true });
});

function channelsTo(address: string, caPem?: Buffer): BackendChannels {
  return createBackendChannels({
    services: loadHoBomServices(),
    decoders: loadFindDecoders(),
    connections: { main: { address, apiKey: API_KEY, name: "for-hobom-backend" } },
    tlsCaPem: caPem,
    maxReceiveBytes: 64 * 1024 * 1024,
  });
}

/** The titles of the pending message rows, through the relay's Find decoder. */
const find = async (channels: BackendChannels) => {
  const { items } = await channels.call<{ items: PendingRows }>(
    "main",
    "messageFind",
    "FindOutboxByEventTypeAndStatusUseCase",
    { eventType: "MESSAGE", status: "PENDING" },
    { timeoutMs: 3000 },
  );
  return items.decode(0, items.count).map((row) => (row.payload as MessagePayload).title);
};

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (error) {
    return error instanceof BackendCallError ? error.code : String(error);
  }
}

test("with the CA configured, calls go over TLS and carry the api key", async () => {
  const channels = channelsTo(tlsBackend.address, serverCert.certPem);
  try {
    expect(await find(channels)).toEqual(["over TLS"]);
    expect(tlsBackend.calls.calls().every((call) => call.apiKey === API_KEY)).toBe(true);
  } finally {
    channels.close();
  }
});

test("a server whose certificate the configured CA did not sign is refused", async () => {
  const channels = channelsTo(tlsBackend.address, otherCa.certPem);
  try {
    expect(await outcome(find(channels))).toBe("UNAVAILABLE");
  } finally {
    channels.close();
  }
});

test("with TLS configured, a plaintext server is refused rather than used without encryption", async () => {
  const channels = channelsTo(plainBackend.address, serverCert.certPem);
  try {
    expect(await outcome(find(channels))).toBe("UNAVAILABLE");
    expect(plainBackend.calls.count("*")).toBe(0);
  } finally {
    channels.close();
  }
});

test("a certificate from the configured CA but for another name than the address is refused", async () => {
  const channels = channelsTo(wrongNameBackend.address, wrongName.certPem);
  try {
    expect(await outcome(find(channels))).toBe("UNAVAILABLE");
    expect(wrongNameBackend.calls.count("*")).toBe(0);
  } finally {
    channels.close();
  }
});
