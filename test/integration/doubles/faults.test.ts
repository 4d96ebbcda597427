/**
 * Faults a test can order from any double: failing the next calls of an rpc, failing only the calls
 * for chosen rows, slowing an rpc down past a client's deadline, and answering a Find with more than
 * 4 MiB. Also the call log those tests assert with. Shown on the for-hobom-backend double; every
 * double shares this machinery (double-server.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import type { FindResponse, MarkRequest, MessagePayload } from "../../../src/hobom/wire-types.ts";
import { type HoBomBackendDouble, messagePayload, RawClient, startHoBomBackend, statusOf } from "../../support/backends/index.ts";

const API_KEY = "faults-test-key";
const FIND = "FindOutboxByEventTypeAndStatusUseCase";
const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const MiB = 1024 * 1024;

const services = loadHoBomServices();
let backend: HoBomBackendDouble;
let messageFind: RawClient;
let lawFind: RawClient;
let patch: RawClient;

beforeAll(async () => {
  backend = await startHoBomBackend({ apiKey: API_KEY });
  messageFind = new RawClient(services.messageFind, backend.address, { apiKey: API_KEY });
  lawFind = new RawClient(services.lawFind, backend.address, { apiKey: API_KEY });
  patch = new RawClient(services.messagePatch, backend.address, { apiKey: API_KEY });
});

beforeEach(() => backend.reset());

afterAll(() => {
  for (const client of [messageFind, lawFind, patch]) client.close();
  backend.stop();
});

const findMessages = (client = messageFind) => client.call<FindResponse<MessagePayload>>(FIND, { eventType: "MESSAGE", status: "PENDING" });
const findLaws = () => lawFind.call(FIND, { eventType: "LAW_CHANGED", status: "PENDING" });
const markSent = (eventId: string, options = {}) => patch.call(MARK_SENT, { eventId }, options);

describe("failing calls", () => {
  test("the next N calls fail with the given code and message, then the rpc recovers", async () => {
    backend.faults.fail(FIND, { code: grpc.status.UNAVAILABLE, message: "database restarting", times: 2 });

    const first = await findMessages().catch((error: grpc.ServiceError) => error);
    expect(first).toMatchObject({ code: grpc.status.UNAVAILABLE, details: "database restarting" });
    expect(await statusOf(findMessages())).toBe(grpc.status.UNAVAILABLE);
    expect(await statusOf(findMessages())).toBe(grpc.status.OK);
    expect(backend.calls.count(FIND)).toBe(3);
  });

  test("a fault keyed by full path hits only that service, though another shares the method name", async () => {
    backend.faults.fail(`/${"outbox.law.FindHoBomLawOutboxController"}/${FIND}`, { code: grpc.status.INTERNAL });

    expect(await statusOf(findMessages())).toBe(grpc.status.OK);
    expect(await statusOf(findLaws())).toBe(grpc.status.INTERNAL);
  });

  test("a fault keyed by method name hits every service with that method", async () => {
    backend.faults.fail(FIND, { code: grpc.status.INTERNAL, times: 2 });

    expect(await statusOf(findMessages())).toBe(grpc.status.INTERNAL);
    expect(await statusOf(findLaws())).toBe(grpc.status.INTERNAL);
  });

  test("'*' fails whichever rpc is called next", async () => {
    backend.faults.fail("*", { code: grpc.status.UNAVAILABLE });

    expect(await statusOf(markSent("any"))).toBe(grpc.status.UNAVAILABLE);
    expect(await statusOf(findMessages())).toBe(grpc.status.OK);
  });

  test("with eventIds, only the calls for those rows fail, each the given number of times", async () => {
    const [a, b, c] = [1, 2, 3].map(() => backend.messages.add({ payload: messagePayload() }));
    if (!a || !b || !c) throw new Error("rows missing");
    backend.faults.fail(MARK_SENT, { code: grpc.status.UNAVAILABLE, eventIds: [a.eventId, b.eventId] });

    expect(await statusOf(markSent(a.eventId))).toBe(grpc.status.UNAVAILABLE);
    expect(await statusOf(markSent(c.eventId))).toBe(grpc.status.OK);
    expect(await statusOf(markSent(b.eventId))).toBe(grpc.status.UNAVAILABLE);
    expect(await statusOf(markSent(a.eventId))).toBe(grpc.status.OK);
    expect(await statusOf(markSent(b.eventId))).toBe(grpc.status.OK);

    expect([a.status, b.status, c.status]).toEqual(["SENT", "SENT", "SENT"]);
    expect(backend.calls.countFor(MARK_SENT, a.eventId)).toBe(2);
    expect(backend.calls.countFor(MARK_SENT, c.eventId)).toBe(1);
  });

  test("an injected failure leaves the row untouched", async () => {
    const row = backend.messages.add({ payload: messagePayload() });
    backend.faults.fail(MARK_SENT, { code: grpc.status.INTERNAL, eventIds: [row.eventId] });

    await statusOf(markSent(row.eventId));

    expect(row.status).toBe("PENDING");
  });
});

describe("latency", () => {
  test("a call slower than the client's deadline ends in DEADLINE_EXCEEDED, yet the server still applies it", async () => {
    const row = backend.messages.add({ payload: messagePayload() });
    backend.faults.delay(MARK_SENT, 150);

    const started = performance.now();
    expect(await statusOf(markSent(row.eventId, { deadlineMs: 30 }))).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(performance.now() - started).toBeLessThan(140);
    expect(row.status).toBe("PENDING");

    // The backend is not told the client gave up: the mark lands after the client saw a failure.
    await sleep(250);
    expect(row.status).toBe("SENT");
    expect(backend.calls.calls(MARK_SENT)[0]?.status).toBe(grpc.status.OK);
  });

  test("a call within the deadline just arrives later", async () => {
    backend.faults.delay(FIND, 50);

    const started = performance.now();
    expect(await statusOf(findMessages())).toBe(grpc.status.OK);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe("oversized Find responses", () => {
  test("a client with the default 4 MiB limit gets RESOURCE_EXHAUSTED; one allowing 64 MiB gets every row", async () => {
    const real = backend.messages.add({ payload: messagePayload() });
    backend.faults.oversize(FIND);
    const roomy = new RawClient(services.messageFind, backend.address, {
      apiKey: API_KEY,
      channelOptions: { "grpc.max_receive_message_length": 64 * MiB },
    });

    try {
      expect(await statusOf(findMessages())).toBe(grpc.status.RESOURCE_EXHAUSTED);

      const { items } = await findMessages(roomy);
      expect(items[0]?.eventId).toBe(real.eventId);
      expect(items.slice(1).every((item) => item.eventId.startsWith("padding-") && item.payload === null)).toBe(true);
      const bytes = items.reduce((sum, item) => sum + item.lastError.length, 0);
      expect(bytes).toBeGreaterThan(4 * MiB);
    } finally {
      roomy.close();
    }
  });
});

describe("clearing", () => {
  test("clear() removes failures, delays and oversizing alike", async () => {
    backend.faults.fail(FIND, { code: grpc.status.INTERNAL, times: Infinity });
    backend.faults.delay(FIND, 1000);
    backend.faults.oversize(FIND);

    backend.faults.clear();

    const started = performance.now();
    const { items } = await findMessages();
    expect(items).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("call log", () => {
  test("records every call in arrival order, with its request, api key and outcome", async () => {
    const row = backend.messages.add({ payload: messagePayload() });

    await findMessages();
    await markSent(row.eventId);
    await statusOf(markSent(row.eventId, { apiKey: "wrong" }));

    expect(
      backend.calls.calls().map((call) => ({
        path: call.path,
        method: call.method,
        apiKey: call.apiKey,
        status: call.status,
      })),
    ).toEqual([
      { path: `/outbox.message.FindHoBomMessageOutboxController/${FIND}`, method: FIND, apiKey: API_KEY, status: grpc.status.OK },
      { path: `/outbox.message.PatchOutboxController/${MARK_SENT}`, method: MARK_SENT, apiKey: API_KEY, status: grpc.status.OK },
      { path: `/outbox.message.PatchOutboxController/${MARK_SENT}`, method: MARK_SENT, apiKey: "wrong", status: grpc.status.UNKNOWN },
    ]);
    expect(backend.calls.requests<MarkRequest>(MARK_SENT)).toEqual([{ eventId: row.eventId }, { eventId: row.eventId }]);
    expect(backend.calls.countFor(MARK_SENT, row.eventId)).toBe(2);
  });
});
