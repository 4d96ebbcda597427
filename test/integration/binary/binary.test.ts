/**
 * The compiled single binary as it ships: built with the flags of `npm run build`, copied alone to
 * an empty folder, and run end to end (rows delivered, a DLQ retry answered over HTTP, SIGTERM),
 * plus its command line: --version, --help and check-config.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { VARIABLE_LIST } from "../../../src/config/variables.ts";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { dlqClient, http, writeGoEntry } from "../../support/http-client.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis } from "../../support/redis-inspect.ts";
import { eventually, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { freePort, killAllRelays, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

const ROOT = resolve(import.meta.dir, "../../..");
const VERSION = ((await Bun.file(join(ROOT, "package.json")).json()) as { version: string }).version;
const COMMIT = "testcommit";
const { kafkaBrokers: brokers, redisUrl } = testbedEnv();

let buildDir: string;
let runDir: string;
let binary: string;
let hobom: HoBomBackendDouble;

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), "hobom-binary-build-"));
  runDir = mkdtempSync(join(tmpdir(), "hobom-binary-run-"));
  // The flags of package.json's "build" script, with a fixed commit and a temporary output.
  const build = Bun.spawn(
    [
      process.execPath,
      "build",
      "--compile",
      "--no-compile-autoload-dotenv",
      "--minify",
      "--sourcemap=none",
      "--define",
      `HOBOM_BUILD_VERSION="${VERSION}"`,
      "--define",
      `HOBOM_BUILD_COMMIT="${COMMIT}"`,
      join(ROOT, "src/main.ts"),
      "--outfile",
      join(buildDir, "hobom-event-processor"),
    ],
    { cwd: ROOT, stdout: "pipe", stderr: "pipe" },
  );
  const [code, errors] = await Promise.all([build.exited, new Response(build.stderr).text()]);
  if (code !== 0) throw new Error(`bun build --compile failed (exit ${code}):\n${errors}`);
  binary = join(runDir, "hobom-event-processor");
  copyFileSync(join(buildDir, "hobom-event-processor"), binary);
  chmodSync(binary, 0o755);
  hobom = await startHoBomBackend({ apiKey: TEST_API_KEY });
}, 60_000);

afterEach(async () => {
  await killAllRelays();
  hobom.reset();
});

afterAll(() => {
  hobom?.stop();
  for (const dir of [buildDir, runDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the binary from its empty folder with only `env` (and PATH); resolves with what it printed. */
async function runBinary(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000) {
  const child = Bun.spawn([binary, ...args], {
    cwd: runDir,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  try {
    const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

test("reads a .env as written: Bun's own .env loading, which expands $ in values, is off in the binary", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hobom-binary-dotenv-"));
  try {
    writeFileSync(join(dir, ".env"), "HOBOM_GRPC_ADDR=localhost:50051\nHOBOM_GRPC_API_KEY=k\nHOBOM_KAFKA_ACKS=pa$word\n");
    const child = Bun.spawn([binary, "check-config", "--offline"], { cwd: dir, env: { PATH: process.env.PATH ?? "" }, stdout: "pipe", stderr: "pipe" });
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    expect(code).toBe(2);
    expect(stderr).toContain('"pa$word" is not one of');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the binary sits alone in an empty folder", () => {
  expect(readdirSync(runDir)).toEqual(["hobom-event-processor"]);
});

describe("command line", () => {
  test("--version prints the version from package.json and the commit stamped at build time", async () => {
    const run = await runBinary(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`hobom-event-processor ${VERSION} (${COMMIT})\n`);
  });

  test("--help lists every environment variable the relay reads", async () => {
    const run = await runBinary(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("check-config");
    const missing = VARIABLE_LIST.map((variable) => variable.name).filter((name) => !run.stdout.includes(name));
    expect(missing).toEqual([]);
  });

  test("check-config exits 0 and says ok for the configuration, Redis, Kafka and the backend when everything is up", async () => {
    const setup = relayTestSetup({ hobom });
    const run = await runBinary(["check-config"], setup.env);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    const lines = run.stdout.trimEnd().split("\n");
    for (const name of ["configuration", "redis", "kafka", "for-hobom-backend"]) {
      expect(lines.some((line) => line.startsWith("ok ") && line.includes(name))).toBe(true);
    }
    expect(lines.filter((line) => line.startsWith("FAIL"))).toEqual([]);
  });

  test("check-config exits 1 with a FAIL line per dependency that does not answer", async () => {
    const [kafkaPort, redisPort] = [await freePort(), await freePort()];
    const setup = relayTestSetup({ hobom, kafkaBrokers: [`127.0.0.1:${kafkaPort}`], redisUrl: `redis://127.0.0.1:${redisPort}` });
    const run = await runBinary(["check-config"], setup.env);
    expect(run.code).toBe(1);
    const failures = run.stdout.split("\n").filter((line) => line.startsWith("FAIL"));
    expect(failures.map((line) => line.split(" ")[1]).sort()).toEqual(["kafka", "redis"]);
    expect(run.stdout).toMatch(/^ok +for-hobom-backend/m);
  });

  test("check-config exits 1 with a line per configuration problem", async () => {
    const setup = relayTestSetup({ hobom, overrides: { HOBOM_KAFKA_ACKS: "maybe", HOBOM_POLL_INTERVAL_MS: "soon" } });
    const { HOBOM_GRPC_ADDR: _unset, ...env } = setup.env;
    const run = await runBinary(["check-config"], env);
    expect(run.code).toBe(1);
    const problems = run.stderr.split("\n").filter((line) => line.trimStart().startsWith("- "));
    expect(problems).toHaveLength(3);
    for (const name of ["HOBOM_GRPC_ADDR", "HOBOM_KAFKA_ACKS", "HOBOM_POLL_INTERVAL_MS"]) {
      expect(problems.filter((line) => line.includes(name))).toHaveLength(1);
    }
  });
});

test("run from an empty folder, it delivers rows to Kafka and marks them SENT, answers a DLQ retry over HTTP, and exits 0 on SIGTERM", async () => {
  const setup = relayTestSetup({ hobom });
  await createTopics(brokers, [setup.topics.messages]);
  const rows = Array.from({ length: 5 }, () => hobom.messages.add({ payload: messagePayload() }));
  const relay = await startRelayProcess(setup.env, { command: [binary] });
  expect(relay.logs[0]).toMatchObject({ msg: "hobom-event-processor started", version: VERSION });

  await eventually(() => rows.every((row) => row.status === "SENT"), 20_000);
  const delivered = await readTopic(brokers, setup.topics.messages);
  expect(delivered.map((record) => record.key).sort()).toEqual(rows.map((row) => row.eventId).sort());

  const failed = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
  const key = `${setup.namespace}dlq:menu:${failed.eventId}`;
  const value = '{"type":"MAIL_MESSAGE","title":"t","body":"b","recipient":"r","senderId":"","sentAt":"2026-11-23T14:05:00Z"}';
  const redis = inspectRedis(redisUrl, setup.namespace);
  try {
    await writeGoEntry(redis, key, value);
    const retried = await dlqClient(relay).retry(key);
    expect(retried.status).toBe(200);
    expect(retried.body.message).toBe("DLQ retried and removed from Redis");
    expect(await redis.get(key)).toBeNull();
  } finally {
    redis.close();
  }
  expect(failed.status).toBe("SENT");
  const records = (await readTopic(brokers, setup.topics.messages)).filter((record) => record.key === failed.eventId);
  expect(records.map((record) => record.value)).toEqual([value]);
  expect((await http(relay.httpUrl, "GET", "/health")).status).toBe(200);

  expect(await relay.stop()).toBe(0);
  expect(relay.logs.at(-1)?.msg).toBe("stopped");
  expect(relay.logs.filter((line) => line.level === "error")).toEqual([]);
}, 60_000);

test("SIGTERM right after the start, while the pipelines are only getting going, still exits 0 at once", async () => {
  const setup = relayTestSetup({ hobom, overrides: { HOBOM_SHUTDOWN_TIMEOUT_MS: "3000" } });
  const relay = await startRelayProcess(setup.env, { command: [binary] });
  const started = Date.now();
  const code = await relay.stop();
  expect({ code, lastLog: relay.logs.at(-1)?.msg }).toEqual({ code: 0, lastLog: "stopped" });
  expect(relay.logs.filter((line) => line.level === "error")).toEqual([]);
  expect(Date.now() - started).toBeLessThan(2500);
}, 20_000);
