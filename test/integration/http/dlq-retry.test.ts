/**
 * POST /dlq/retry over real HTTP against the test bed: what reaches Kafka (key = eventId, the
 * pipeline's headers, exactly once), what the owning backend is told, and when the entry is
 * deleted or kept. Entries come both from the relay itself and written as the Go processor did.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { RedisClient } from "bun";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import {
  type AngelBackendDouble,
  angelFosterTerminatedPayload,
  type HoBomBackendDouble,
  type LlmBackendDouble,
  lawChangedPayload,
  logPayload,
  messagePayload,
  type SpaceBackendDouble,
  startAngelBackend,
  startHoBomBackend,
  startLlmBackend,
  startSpaceBackend,
  studyMaterialFor,
} from "../../support/backends/index.ts";
import { dlqClient, type HttpAnswer, redisSnapshot, writeGoEntry } from "../../support/http-client.ts";
import { type ConsumedRecord, createTopics, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis, type RedisInspector } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const RETRIED = "DLQ retried and removed from Redis";
/** The relay's own record size limit here, so that a large message goes to the DLQ replayable. */
const MAX_MESSAGE_BYTES = 1024;

const { kafkaBrokers: brokers } = testbedEnv();
// A private Redis keeps the SCANs of listings and clean-ups short whatever else the shared one holds.
let privateRedis: RedisInstance;
let redisUrl: string;
let hobom: HoBomBackendDouble;
let space: SpaceBackendDouble;
let angel: AngelBackendDouble;
let llm: LlmBackendDouble;
let setup: RelayTestSetup;
let relay: RelayProcess;
let redis: RedisInspector;
let ns: string;

beforeAll(async () => {
  [hobom, space, angel, llm, privateRedis] = await Promise.all([
    startHoBomBackend({ apiKey: TEST_API_KEY }),
    startSpaceBackend({ apiKey: TEST_API_KEY }),
    startAngelBackend({ apiKey: TEST_API_KEY }),
    startLlmBackend({ apiKey: TEST_API_KEY }),
    startRedisServer(),
  ]);
  redisUrl = privateRedis.url;
  setup = relayTestSetup({ hobom, space, angel, llm, redisUrl, overrides: { HOBOM_KAFKA_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) } });
  ns = setup.namespace;
  await createTopics(brokers, Object.values(setup.topics));
  relay = await startRelayProcess(setup.env);
  redis = inspectRedis(redisUrl, ns);
});

afterEach(async () => {
  for (const double of [hobom, space, angel, llm]) double.reset();
  // Each test starts from an empty DLQ; only this file's namespace is touched.
  const client = new RedisClient(redisUrl);
  try {
    const keys = [...(await redis.keys("dlq*")), ...(await redis.keys("sent:*"))];
    if (keys.length > 0) await client.send("DEL", keys);
  } finally {
    client.close();
  }
});

afterAll(async () => {
  redis?.close();
  await killAllRelays();
  for (const double of [hobom, space, angel, llm]) double?.stop();
  await privateRedis?.kill();
});

const api = () => dlqClient(relay);

/** Every record of `topic` keyed `key`, read to the topic's end (so duplicates show). */
async function recordsKeyed(topic: string, key: string): Promise<ConsumedRecord[]> {
  return (await readTopic(brokers, topic)).filter((record) => record.key === key);
}

/** A message value as the relay (or the Go processor) stored it for dlq:menu:. */
function messageValue(title = "Welcome"): string {
  return JSON.stringify({ type: "MAIL_MESSAGE", title, body: "Hello", recipient: "user@example.com", senderId: "sender-1", sentAt: "2026-11-23T14:05:00Z" });
}

async function expectGone(key: string) {
  expect(await redis.get(key)).toBeNull();
  expect(await redis.hgetall(key.replace(ns, `${ns}dlqmeta:`))).toEqual({});
  expect((await api().get(key)).status).toBe(404);
  // Out of the index too: no listing or metric counts it.
  const prefix = /^dlq:[^:]+:/.exec(key.slice(ns.length))?.[0];
  const client = new RedisClient(redisUrl);
  try {
    expect(await client.send("ZSCORE", [`${ns}dlq-index:${prefix}`, key])).toBeNull();
  } finally {
    client.close();
  }
}

describe("a retried entry is published again, marked SENT and deleted", () => {
  test("an entry the relay wrote (a record over its size limit), retried once the limit was raised: the stored value goes to Kafka keyed by eventId with the pipeline's headers", async () => {
    const row = hobom.messages.add({ payload: messagePayload({ body: "x".repeat(MAX_MESSAGE_BYTES + 200) }) });
    await eventually(() => row.status === "FAILED");
    const key = `${ns}dlq:menu:${row.eventId}`;
    const stored = (await redis.get(key)) as string;
    const before = await api().get(key);
    expect(before.body.meta).toMatchObject({
      pipeline: "message",
      eventId: row.eventId,
      replayable: true,
      attempts: 1,
      topic: setup.topics.messages,
      recordKey: row.eventId,
    });
    expect(before.body.meta.reason).toContain("HOBOM_KAFKA_MAX_MESSAGE_BYTES");
    expect(await recordsKeyed(setup.topics.messages, row.eventId)).toEqual([]);

    // The operator raises the limit and restarts; the restarted relay serves the retry.
    const raised = await startRelayProcess({ ...setup.env, HOBOM_KAFKA_MAX_MESSAGE_BYTES: "1000000" });
    let answer: HttpAnswer;
    try {
      answer = await dlqClient(raised).retry(key);
    } finally {
      await raised.kill();
    }
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ message: RETRIED, published: true, marked: "SENT" });

    const records = await recordsKeyed(setup.topics.messages, row.eventId);
    expect(records).toHaveLength(1);
    expect(records[0]?.value).toBe(stored);
    expect(records[0]?.headers).toEqual({ "event-id": row.eventId, "event-type": "MESSAGE", source: "for-hobom-backend" });
    expect(row.status).toBe("SENT");
    await expectGone(key);
  });

  test("a law entry the relay wrote after Generate kept failing: the retry generates, saves and marks SENT", async () => {
    const payload = lawChangedPayload({ diffId: `diff-${crypto.randomUUID()}` });
    llm.faults.fail("Generate", { code: grpc.status.UNAVAILABLE, times: 3 });
    const row = hobom.laws.add({ payload });
    await eventually(() => row.status === "FAILED");
    const key = `${ns}dlq:law:${row.eventId}`;
    const entry = await api().get(key);
    expect(entry.body.item).toEqual({ diffId: payload.diffId, changes: payload.changes });
    // The entry counts the Generate attempts the sink made, as its reason says.
    expect(entry.body.meta).toMatchObject({ pipeline: "law", eventId: row.eventId, eventType: "LAW_CHANGED", replayable: true, attempts: 3 });
    expect(entry.body.meta.reason).toContain("Generate failed after 3 attempts");

    const answer = await api().retry(key);
    expect(answer.status).toBe(200);
    // Law never goes to Kafka: nothing is published; the material is generated and saved.
    expect(answer.body).toEqual({ message: RETRIED, published: false, generated: true, marked: "SENT" });
    expect(hobom.studyMaterials.get(payload.diffId)).toEqual({ diffId: payload.diffId, ...studyMaterialFor({ changes: payload.changes }) });
    expect(row.status).toBe("SENT");
    await expectGone(key);
  });

  test("an entry the Go processor wrote (value only, EX 259200, no metadata), addressed with URL-encoded colons", async () => {
    const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
    const key = `${ns}dlq:menu:${row.eventId}`;
    const value = messageValue("from Go");
    await writeGoEntry(redis, key, value);

    const answer = await api().retry(encodeURIComponent(key));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ message: RETRIED, published: true, marked: "SENT" });

    const records = await recordsKeyed(setup.topics.messages, row.eventId);
    expect(records.map((record) => ({ value: record.value, headers: record.headers }))).toEqual([
      { value, headers: { "event-id": row.eventId, "event-type": "MESSAGE", source: "for-hobom-backend" } },
    ]);
    expect(row.status).toBe("SENT");
    expect(hobom.calls.countFor(MARK_SENT, row.eventId)).toBe(1);
    await expectGone(key);
  });

  test("a Go-format log entry (a one-element array) goes to the logs topic keyed by its eventId", async () => {
    const row = hobom.logs.add({ payload: logPayload(), status: "FAILED" });
    const key = `${ns}dlq:log:${row.eventId}`;
    const value = JSON.stringify([
      { serviceType: "HOBOM_BACKEND", level: "ERROR", traceId: "t-9", message: "boom", httpMethod: "GET", path: "/x", statusCode: 500 },
    ]);
    await writeGoEntry(redis, key, value);

    const answer = await api().retry(key);
    expect(answer.status).toBe(200);
    const records = await recordsKeyed(setup.topics.logs, row.eventId);
    expect(records.map((record) => ({ value: record.value, headers: record.headers }))).toEqual([
      { value, headers: { "event-id": row.eventId, "event-type": "HOBOM_LOG", source: "for-hobom-backend" } },
    ]);
    expect(row.status).toBe("SENT");
    await expectGone(key);
  });

  test("a Go-format angel entry carries its own eventType as the event-type header and is marked on the angel backend", async () => {
    const row = angel.outbox.add({ eventType: "FOSTER_TERMINATED", payload: angelFosterTerminatedPayload(), status: "FAILED" });
    const key = `${ns}dlq:angel:${row.eventId}`;
    const value =
      '{"eventType":"FOSTER_TERMINATED","recipientUserId":"user-1","fosterProcessId":"foster-1","reason":"FOSTER_END_REASON_EXPIRED","occurredAt":"2026-11-23T14:05:00Z"}';
    await writeGoEntry(redis, key, value);

    const answer = await api().retry(key);
    expect(answer.status).toBe(200);
    const records = await recordsKeyed(setup.topics.angelEvents, row.eventId);
    expect(records.map((record) => ({ value: record.value, headers: record.headers }))).toEqual([
      { value, headers: { "event-id": row.eventId, "event-type": "FOSTER_TERMINATED", source: "for-hobom-angel-backend" } },
    ]);
    expect(row.status).toBe("SENT");
    await expectGone(key);
  });

  test("a law entry re-runs the orchestration: Generate with its changes, SaveStudyMaterial with the material, then mark SENT", async () => {
    const payload = lawChangedPayload({ diffId: `diff-${crypto.randomUUID()}` });
    const row = hobom.laws.add({ payload, status: "FAILED" });
    const key = `${ns}dlq:law:${row.eventId}`;
    await writeGoEntry(redis, key, JSON.stringify({ diffId: payload.diffId, changes: payload.changes }));

    const answer = await api().retry(key);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ message: RETRIED, published: false, generated: true, marked: "SENT" });

    expect(llm.calls.requests<{ changes: unknown[] }>("Generate").map((request) => request.changes)).toEqual([payload.changes]);
    expect(hobom.studyMaterials.get(payload.diffId)).toEqual({ diffId: payload.diffId, ...studyMaterialFor({ changes: payload.changes }) });
    const steps = [
      ...llm.calls.calls("Generate").map((call) => ({ at: call.receivedAt.getTime(), step: "generate" })),
      ...hobom.calls.calls("SaveStudyMaterial").map((call) => ({ at: call.receivedAt.getTime(), step: "save" })),
      ...hobom.calls.calls(MARK_SENT).map((call) => ({ at: call.receivedAt.getTime(), step: "mark" })),
    ].sort((a, b) => a.at - b.at);
    expect(steps.map((entry) => entry.step)).toEqual(["generate", "save", "mark"]);
    expect(row.status).toBe("SENT");
    await expectGone(key);
  });

  test("a space entry whose row no longer exists (NOT_FOUND on mark) is still retried: 200 with marked gone", async () => {
    const eventId = crypto.randomUUID();
    const key = `${ns}dlq:space:${eventId}`;
    const value = '{"entityType":"PAGE","action":"CREATED","spaceKey":"HOBOM","pageId":42,"title":"Release notes","actorId":"actor-1"}';
    await writeGoEntry(redis, key, value);

    const answer = await api().retry(key);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ message: RETRIED, published: true, marked: "gone" });
    expect(
      space.calls
        .calls(MARK_SENT)
        .filter((call) => (call.request as { eventId: string }).eventId === eventId)
        .map((call) => call.status),
    ).toEqual([grpc.status.NOT_FOUND]);
    const records = await recordsKeyed(setup.topics.spaceEvents, eventId);
    expect(records.map((record) => ({ value: record.value, headers: record.headers }))).toEqual([
      { value, headers: { "event-id": eventId, "event-type": "SPACE_EVENT", source: "hobom-space-backend" } },
    ]);
    await expectGone(key);
  });
});

describe("a retry never publishes twice", () => {
  test("an entry whose delivery is already recorded is only marked and deleted: no new Kafka record", async () => {
    const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
    const key = `${ns}dlq:menu:${row.eventId}`;
    await writeGoEntry(redis, key, messageValue());
    await redis.set(`${ns}sent:message:${row.eventId}`, new Date().toISOString(), 3600);

    const answer = await api().retry(key);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ message: RETRIED, published: false, marked: "SENT" });
    expect(await recordsKeyed(setup.topics.messages, row.eventId)).toEqual([]);
    expect(row.status).toBe("SENT");
    await expectGone(key);
  });

  test("a failed mark answers 502 with the backend's error and keeps the entry; the next retry only marks", async () => {
    const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
    const key = `${ns}dlq:menu:${row.eventId}`;
    const value = messageValue();
    await writeGoEntry(redis, key, value);
    hobom.faults.fail(MARK_SENT, { code: grpc.status.UNAVAILABLE, message: "outbox database is down", eventIds: [row.eventId], times: 1 });

    const failed = await api().retry(key);
    expect(failed.status).toBe(502);
    expect(failed.body.error).toBe("upstream failed");
    expect(failed.body.detail).toContain("UNAVAILABLE");
    expect(failed.body.detail).toContain("outbox database is down");
    expect(await redis.get(key)).toBe(value);
    expect(row.status).toBe("FAILED");
    expect(await recordsKeyed(setup.topics.messages, row.eventId)).toHaveLength(1);

    const second = await api().retry(key);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ message: RETRIED, published: false, marked: "SENT" });
    expect(await recordsKeyed(setup.topics.messages, row.eventId)).toHaveLength(1);
    expect(row.status).toBe("SENT");
    expect(hobom.calls.countFor(MARK_SENT, row.eventId)).toBe(2);
    await expectGone(key);
  });

  test("two concurrent retries of one entry publish once: one 200, one 409", async () => {
    const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
    const key = `${ns}dlq:menu:${row.eventId}`;
    await writeGoEntry(redis, key, messageValue());
    // A slow mark keeps the first retry holding the entry while the second arrives.
    hobom.faults.delay(MARK_SENT, 1500);

    const answers = await Promise.all([api().retry(key), api().retry(key)]);
    const byStatus = answers.map((answer) => answer.status).sort();
    expect(byStatus).toEqual([200, 409]);
    const conflict = answers.find((answer) => answer.status === 409);
    expect(conflict?.body.error).toBe("retry in progress");

    expect(await recordsKeyed(setup.topics.messages, row.eventId)).toHaveLength(1);
    expect(hobom.calls.countFor(MARK_SENT, row.eventId)).toBe(1);
    expect(row.status).toBe("SENT");
    await expectGone(key);
    // The lock went with the retry: a later retry finds nothing to do.
    expect((await api().retry(key)).status).toBe(404);
  });

  test("a law retry whose mark failed saved the material once; the next retry only marks (no second Generate or save)", async () => {
    const payload = lawChangedPayload({ diffId: `diff-${crypto.randomUUID()}` });
    const row = hobom.laws.add({ payload, status: "FAILED" });
    const key = `${ns}dlq:law:${row.eventId}`;
    await writeGoEntry(redis, key, JSON.stringify({ diffId: payload.diffId, changes: payload.changes }));
    hobom.faults.fail(MARK_SENT, { code: grpc.status.UNAVAILABLE, eventIds: [row.eventId], times: 1 });

    expect((await api().retry(key)).status).toBe(502);
    expect(await redis.get(key)).not.toBeNull();
    const second = await api().retry(key);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ published: false, generated: false, marked: "SENT" });

    expect(llm.calls.count("Generate")).toBe(1);
    expect(hobom.calls.count("SaveStudyMaterial")).toBe(1);
    expect(row.status).toBe("SENT");
    await expectGone(key);
  });
});

describe("a retry that cannot complete keeps the entry", () => {
  test("an entry holding a raw row (a row without payload) is 422 not replayable and stays as it is", async () => {
    const row = hobom.messages.add({ payload: null });
    await eventually(() => row.status === "FAILED");
    const key = `${ns}dlq:menu:${row.eventId}`;
    const before = await redisSnapshot(redis);

    const answer = await api().retry(key);
    expect(answer.status).toBe(422);
    expect(answer.body.error).toBe("not replayable");
    expect(await redisSnapshot(redis)).toEqual(before);
    expect(hobom.calls.countFor(MARK_SENT, row.eventId)).toBe(0);
    expect(await recordsKeyed(setup.topics.messages, row.eventId)).toEqual([]);
    expect(row.status).toBe("FAILED");
  });

  test("a law entry whose Generate keeps failing answers 502 naming the LLM; nothing is saved or marked", async () => {
    const payload = lawChangedPayload({ diffId: `diff-${crypto.randomUUID()}` });
    const row = hobom.laws.add({ payload, status: "FAILED" });
    const key = `${ns}dlq:law:${row.eventId}`;
    const value = JSON.stringify({ diffId: payload.diffId, changes: payload.changes });
    await writeGoEntry(redis, key, value);
    llm.faults.fail("Generate", { code: grpc.status.UNAVAILABLE, message: "model overloaded", times: 100 });

    const answer = await api().retry(key);
    expect(answer.status).toBe(502);
    expect(answer.body.error).toBe("upstream failed");
    expect(answer.body.detail).toContain("Generate");
    expect(answer.body.detail).toContain("model overloaded");
    expect(await redis.get(key)).toBe(value);
    expect(hobom.calls.count("SaveStudyMaterial")).toBe(0);
    expect(hobom.calls.countFor(MARK_SENT, row.eventId)).toBe(0);
    expect(row.status).toBe("FAILED");
  });

  test("a record Kafka refuses (over the broker's size limit) answers 502 with Kafka's error; nothing is marked", async () => {
    const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
    const key = `${ns}dlq:menu:${row.eventId}`;
    const value = messageValue("x".repeat(1_200_000));
    await writeGoEntry(redis, key, value);

    const answer = await api().retry(key);
    expect(answer.status).toBe(502);
    expect(answer.body.error).toBe("upstream failed");
    expect(answer.body.detail).toMatch(/TOO_LARGE/);
    expect(await redis.get(key)).toBe(value);
    expect(hobom.calls.countFor(MARK_SENT, row.eventId)).toBe(0);
    expect(row.status).toBe("FAILED");
    expect(await recordsKeyed(setup.topics.messages, row.eventId)).toEqual([]);
  });

  test("a retry of a missing entry is a 404 and calls no backend", async () => {
    const answer = await api().retry(`${ns}dlq:menu:${crypto.randomUUID()}`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: "DLQ not found" });
    expect(hobom.calls.count(MARK_SENT)).toBe(0);
  });
});
