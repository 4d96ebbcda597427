/**
 * The delivery rules the Go processor broke: marks only after Kafka's acknowledgement, DLQ before
 * FAILED, a delivery record that turns a re-fetched row into a mark-only row, a law save that is
 * never repeated. Every scenario ends with each event either in Kafka exactly once with its row
 * SENT, or in the DLQ with its row FAILED.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { startRedisServer } from "../../infra/redis-server.ts";
import {
  type HoBomBackendDouble,
  type LlmBackendDouble,
  lawChangedPayload,
  logPayload,
  messagePayload,
  startHoBomBackend,
  startLlmBackend,
} from "../../support/backends/index.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis } from "../../support/redis-inspect.ts";
import { eventually, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

let hobom: HoBomBackendDouble;
let llm: LlmBackendDouble;
const { kafkaBrokers: brokers, redisUrl } = testbedEnv();

beforeAll(async () => {
  [hobom, llm] = await Promise.all([startHoBomBackend({ apiKey: TEST_API_KEY }), startLlmBackend({ apiKey: TEST_API_KEY })]);
});

afterEach(async () => {
  await killAllRelays();
  hobom.reset();
  llm.reset();
});

afterAll(() => {
  hobom.stop();
  llm.stop();
});

const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const MARK_FAILED = "PatchOutboxMarkAsFailedUseCase";

function countByKey(records: { key: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.key, (counts.get(record.key) ?? 0) + 1);
  return counts;
}

describe("marking", () => {
  test("a row whose MarkSent failed once is marked again but not published again", async () => {
    const setup = relayTestSetup({ hobom });
    await createTopics(brokers, [setup.topics.messages]);
    const ids = Array.from({ length: 20 }, () => crypto.randomUUID());
    const unlucky = ids.filter((_, index) => index % 4 === 0);
    hobom.faults.fail(MARK_SENT, { code: grpc.status.UNAVAILABLE, eventIds: unlucky, times: 1 });
    const rows = ids.map((eventId) => hobom.messages.add({ eventId, payload: messagePayload() }));

    await startRelayProcess(setup.env);
    await eventually(() => rows.every((row) => row.status === "SENT"));

    const counts = countByKey(await readTopic(brokers, setup.topics.messages));
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
    expect(counts.size).toBe(ids.length);
    for (const id of unlucky) expect(hobom.calls.countFor(MARK_SENT, id)).toBe(2);
    expect(hobom.calls.count(MARK_FAILED)).toBe(0);
  });
});

describe("permanent failures", () => {
  test("a row with no payload goes to the DLQ with why, then is marked FAILED; the others are delivered", async () => {
    const setup = relayTestSetup({ hobom });
    await createTopics(brokers, [setup.topics.messages]);
    const good = hobom.messages.add({ payload: messagePayload() });
    const empty = hobom.messages.add({ payload: null });

    await startRelayProcess(setup.env);
    await eventually(() => good.status === "SENT" && empty.status === "FAILED");

    const redis = inspectRedis(redisUrl, setup.namespace);
    try {
      const key = `${setup.namespace}dlq:menu:${empty.eventId}`;
      expect(await redis.keys("dlq:*")).toEqual([key]);
      expect(JSON.parse((await redis.get(key)) ?? "null")).toMatchObject({ eventId: empty.eventId, payload: null });
      const meta = await redis.hgetall(`${setup.namespace}dlqmeta:dlq:menu:${empty.eventId}`);
      expect(meta).toMatchObject({ pipeline: "message", eventId: empty.eventId, eventType: "MESSAGE", attempts: "1", replayable: "0" });
      expect(meta.reason).toContain("has no payload");
      expect(empty.lastError).toContain("has no payload");
    } finally {
      redis.close();
    }
    const records = await readTopic(brokers, setup.topics.messages);
    expect(records.map((record) => record.key)).toEqual([good.eventId]);
  });

  test("log rows are split into records under the size limit; a row too large alone goes to the DLQ as a one-element array", async () => {
    const maxBytes = 2000;
    const setup = relayTestSetup({ hobom, overrides: { HOBOM_KAFKA_MAX_MESSAGE_BYTES: String(maxBytes) } });
    await createTopics(brokers, [setup.topics.logs]);
    const rows = Array.from({ length: 12 }, (_, index) => hobom.logs.add({ payload: logPayload({ traceId: `trace-${index}` }) }));
    const huge = hobom.logs.add({ payload: logPayload({ traceId: "huge", message: "x".repeat(3000) }) });

    await startRelayProcess(setup.env);
    await eventually(() => rows.every((row) => row.status === "SENT") && huge.status === "FAILED");

    const records = await readTopic(brokers, setup.topics.logs);
    expect(records.length).toBeGreaterThan(1);
    const traceIds = records.flatMap((record) => (JSON.parse(record.value) as { traceId: string }[]).map((item) => item.traceId));
    expect(traceIds).toEqual(rows.map((_, index) => `trace-${index}`));
    for (const record of records) {
      const bytes =
        Buffer.byteLength(record.key) +
        Buffer.byteLength(record.value) +
        Object.entries(record.headers).reduce((sum, [name, value]) => sum + name.length + value.length, 0);
      expect(bytes).toBeLessThanOrEqual(maxBytes);
    }

    const redis = inspectRedis(redisUrl, setup.namespace);
    try {
      const stored = await redis.get(`${setup.namespace}dlq:log:${huge.eventId}`);
      const parsed = JSON.parse(stored ?? "null") as { traceId: string; message: string }[];
      expect(parsed).toHaveLength(1);
      expect(parsed[0]?.traceId).toBe("huge");
      expect(huge.lastError).toContain("HOBOM_KAFKA_MAX_MESSAGE_BYTES");
    } finally {
      redis.close();
    }
  });

  test("while Redis is unreachable a permanent failure leaves the row PENDING; once Redis is back it goes to the DLQ and FAILED", async () => {
    const privateRedis = await startRedisServer();
    try {
      const setup = relayTestSetup({ hobom, redisUrl: privateRedis.url });
      await createTopics(brokers, [setup.topics.messages]);
      const relay = await startRelayProcess(setup.env);
      // Only an owner runs cycles: Redis must go away after the relay took the message lease.
      await relay.waitForLog((line) => line.msg === "pipeline started" && line.pipeline === "message");
      await privateRedis.stop();
      const empty = hobom.messages.add({ payload: null });

      await relay.waitForLog((line) => line.msg === "cycle failed" && String(line.error).includes("redis"));
      await Bun.sleep(1000);
      expect(empty.status).toBe("PENDING");
      expect(hobom.calls.count(MARK_FAILED)).toBe(0);

      await privateRedis.start();
      await eventually(() => empty.status === "FAILED", 20_000);
      const redis = inspectRedis(privateRedis.url, setup.namespace);
      try {
        expect(await redis.keys("dlq:*")).toEqual([`${setup.namespace}dlq:menu:${empty.eventId}`]);
      } finally {
        redis.close();
      }
    } finally {
      await privateRedis.stop().catch(() => {});
    }
  });
});

describe("law", () => {
  test("after a save whose mark failed, the next cycle only marks: no second Generate or save, no FAILED", async () => {
    const setup = relayTestSetup({ hobom, llm });
    const payload = lawChangedPayload({ diffId: `diff-${crypto.randomUUID()}` });
    const eventId = crypto.randomUUID();
    hobom.faults.fail(MARK_SENT, { code: grpc.status.UNAVAILABLE, eventIds: [eventId], times: 1 });
    const row = hobom.laws.add({ eventId, payload });

    await startRelayProcess(setup.env);
    await eventually(() => row.status === "SENT");

    expect(hobom.calls.countFor(MARK_SENT, eventId)).toBe(2);
    expect(llm.calls.count("Generate")).toBe(1);
    expect(hobom.calls.count("SaveStudyMaterial")).toBe(1);
    expect(hobom.calls.count(MARK_FAILED)).toBe(0);
    expect(hobom.studyMaterials.get(payload.diffId)?.diffId).toBe(payload.diffId);
  });

  test("when Generate keeps failing, the LawChangedPayload goes to dlq:law: and the row is marked FAILED", async () => {
    const setup = relayTestSetup({ hobom, llm });
    llm.faults.fail("Generate", { code: grpc.status.UNAVAILABLE, times: 3 });
    const payload = lawChangedPayload({ diffId: `diff-${crypto.randomUUID()}` });
    const row = hobom.laws.add({ payload });

    await startRelayProcess(setup.env);
    await eventually(() => row.status === "FAILED");

    expect(llm.calls.count("Generate")).toBe(3);
    expect(hobom.calls.count("SaveStudyMaterial")).toBe(0);
    const redis = inspectRedis(redisUrl, setup.namespace);
    try {
      expect(await redis.get(`${setup.namespace}dlq:law:${row.eventId}`)).toBe(JSON.stringify({ diffId: payload.diffId, changes: payload.changes }));
    } finally {
      redis.close();
    }
  });
});
