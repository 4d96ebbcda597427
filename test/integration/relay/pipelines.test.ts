/**
 * Every pipeline end to end: rows in the backend doubles, the relay as a child process, a real
 * Kafka consumer reading what it wrote. The JSON is compared as exact strings: consumers parse it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type AngelBackendDouble,
  angelAccessLogPayload,
  angelApprovalPayload,
  angelFosterTerminatedPayload,
  type HoBomBackendDouble,
  type LlmBackendDouble,
  lawChangedPayload,
  logPayload,
  messagePayload,
  type SpaceBackendDouble,
  spaceEventPayload,
  startAngelBackend,
  startHoBomBackend,
  startLlmBackend,
  startSpaceBackend,
  studyMaterialFor,
} from "../../support/backends/index.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

let hobom: HoBomBackendDouble;
let space: SpaceBackendDouble;
let angel: AngelBackendDouble;
let llm: LlmBackendDouble;
let setup: RelayTestSetup;
let relay: RelayProcess;
const brokers = testbedEnv().kafkaBrokers;

beforeAll(async () => {
  [hobom, space, angel, llm] = await Promise.all([
    startHoBomBackend({ apiKey: TEST_API_KEY }),
    startSpaceBackend({ apiKey: TEST_API_KEY }),
    startAngelBackend({ apiKey: TEST_API_KEY }),
    startLlmBackend({ apiKey: TEST_API_KEY }),
  ]);
  setup = relayTestSetup({ hobom, space, angel, llm });
  await createTopics(brokers, Object.values(setup.topics));
  relay = await startRelayProcess(setup.env);
});

afterAll(async () => {
  await killAllRelays();
  for (const double of [hobom, space, angel, llm]) double?.stop();
});

const SENT_AT = /"sentAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/;

describe("message pipeline", () => {
  test("publishes one hobom.messages record per row, keyed by eventId, and marks the row SENT", async () => {
    const row = hobom.messages.add({ payload: messagePayload({ senderId: "" }) });
    await eventually(() => row.status === "SENT");
    const records = (await readTopic(brokers, setup.topics.messages)).filter((record) => record.key === row.eventId);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record?.headers).toEqual({ "event-id": row.eventId, "event-type": "MESSAGE", source: "for-hobom-backend" });
    expect(record?.value).toMatch(SENT_AT);
    expect(record?.value.replace(SENT_AT, '"sentAt":"T"')).toBe(
      '{"type":"MAIL_MESSAGE","title":"Welcome","body":"Hello from HoBom","recipient":"user@example.com","senderId":"","sentAt":"T"}',
    );
  });
});

describe("space pipeline", () => {
  test("keeps every digit of an int64 pageId and marks the row SENT", async () => {
    const row = space.spaceEvents.add({ payload: spaceEventPayload({ pageId: "9007199254740993" }) });
    await eventually(() => row.status === "SENT");
    const records = (await readTopic(brokers, setup.topics.spaceEvents)).filter((record) => record.key === row.eventId);
    expect(records).toHaveLength(1);
    expect(records[0]?.headers).toEqual({ "event-id": row.eventId, "event-type": "SPACE_EVENT", source: "hobom-space-backend" });
    expect(records[0]?.value).toBe(
      '{"entityType":"PAGE","action":"CREATED","spaceKey":"HOBOM","pageId":9007199254740993,"title":"Release notes","actorId":"actor-1"}',
    );
  });
});

describe("log pipelines", () => {
  const LOG_ITEM =
    '{"serviceType":"HOBOM_BACKEND","level":"INFO","traceId":"trace-1","message":"GET /api/v1/menus 200","httpMethod":"GET","path":"/api/v1/menus","statusCode":200,"host":"for-hobom-backend","userId":"user-1","payload":{"traceId":"trace-1","level":"INFO","method":"GET","path":"/api/v1/menus","statusCode":200,"host":"for-hobom-backend","userId":"user-1","payload":{"query":{"page":"1"},"headers":{"user-agent":"curl"}},"serviceType":"HOBOM_BACKEND","message":"GET /api/v1/menus 200"}}';

  test("log: the rows of one cycle become one JSON array keyed hobom-log-<ns>, rows SENT", async () => {
    // Added while the relay is running, in one tick, so that one cycle sees all three.
    const rows = [1, 2, 3].map(() => hobom.logs.add({ payload: logPayload() }));
    await eventually(() => rows.every((row) => row.status === "SENT"));
    const records = (await readTopic(brokers, setup.topics.logs)).filter((record) => record.key.startsWith("hobom-log-"));
    expect(records).toHaveLength(1);
    expect(records[0]?.key).toMatch(/^hobom-log-\d{19}$/);
    expect(records[0]?.headers).toEqual({ "event-type": "HOBOM_LOG", source: "for-hobom-backend" });
    expect(records[0]?.value).toBe(`[${LOG_ITEM},${LOG_ITEM},${LOG_ITEM}]`);
  });

  test("space-log: a log row from hobom-space-backend becomes a space-log-<ns> array, row SENT", async () => {
    const row = space.logs.add({ payload: logPayload({ payload: null, statusCode: 0, userId: "" }) });
    await eventually(() => row.status === "SENT");
    const records = (await readTopic(brokers, setup.topics.logs)).filter((record) => record.key.startsWith("space-log-"));
    expect(records).toHaveLength(1);
    expect(records[0]?.value).toBe(
      '[{"serviceType":"HOBOM_BACKEND","level":"INFO","traceId":"trace-1","message":"GET /api/v1/menus 200","httpMethod":"GET","path":"/api/v1/menus","statusCode":0,"host":"for-hobom-backend","userId":"","payload":{"traceId":"trace-1","level":"INFO","method":"GET","path":"/api/v1/menus","host":"for-hobom-backend","serviceType":"HOBOM_BACKEND","message":"GET /api/v1/menus 200"}}]',
    );
  });

  test("angel-log: access logs carry serviceType HOBOM_ANGEL and meta as payload, row SENT", async () => {
    const row = angel.outbox.add({ eventType: "HOBOM_LOG", payload: angelAccessLogPayload() });
    await eventually(() => row.status === "SENT");
    const records = (await readTopic(brokers, setup.topics.logs)).filter((record) => record.key.startsWith("angel-log-"));
    expect(records).toHaveLength(1);
    expect(records[0]?.headers).toEqual({ "event-type": "HOBOM_LOG", source: "for-hobom-angel-backend" });
    expect(records[0]?.value).toBe(
      '[{"serviceType":"HOBOM_ANGEL","level":"INFO","traceId":"trace-1","message":"GET /api/v1/animals 200","httpMethod":"GET","path":"/api/v1/animals","statusCode":200,"host":"for-hobom-angel-backend","userId":"user-1","payload":{"region":"seoul"}}]',
    );
  });
});

describe("angel pipeline", () => {
  test("approvals and foster terminations become hobom.angel-events records with enum names and whole-second times", async () => {
    const approval = angel.outbox.add({ eventType: "ADOPTION_APPROVED", payload: angelApprovalPayload() });
    const terminated = angel.outbox.add({ eventType: "FOSTER_TERMINATED", payload: angelFosterTerminatedPayload({ animal_id: "" }) });
    await eventually(() => approval.status === "SENT" && terminated.status === "SENT");
    const records = await readTopic(brokers, setup.topics.angelEvents);
    const byKey = new Map(records.map((record) => [record.key, record]));
    expect(records.filter((record) => record.key === approval.eventId || record.key === terminated.eventId)).toHaveLength(2);
    expect(byKey.get(approval.eventId)?.headers).toEqual({
      "event-id": approval.eventId,
      "event-type": "ADOPTION_APPROVED",
      source: "for-hobom-angel-backend",
    });
    expect(byKey.get(approval.eventId)?.value).toBe(
      '{"eventType":"ADOPTION_APPROVED","recipientUserId":"user-1","approvalType":"APPROVAL_TYPE_ADOPTION","subjectRef":"adoption-1","shelterId":"shelter-1","occurredAt":"2026-11-23T14:05:00Z"}',
    );
    expect(byKey.get(terminated.eventId)?.value).toBe(
      '{"eventType":"FOSTER_TERMINATED","recipientUserId":"user-1","fosterProcessId":"foster-1","reason":"FOSTER_END_REASON_EXPIRED","occurredAt":"2026-11-23T14:05:00Z"}',
    );
  });
});

describe("law pipeline", () => {
  test("calls Generate with the changes, then SaveStudyMaterial with the material, then marks SENT; nothing goes to Kafka", async () => {
    const payload = lawChangedPayload({ diffId: `diff-${crypto.randomUUID()}` });
    const row = hobom.laws.add({ payload });
    await eventually(() => row.status === "SENT");

    const generate = llm.calls
      .requests<{ changes: unknown[] }>("Generate")
      .filter((request) => JSON.stringify(request.changes) === JSON.stringify(payload.changes));
    expect(generate).toHaveLength(1);
    expect(hobom.studyMaterials.get(payload.diffId)).toEqual({ diffId: payload.diffId, ...studyMaterialFor({ changes: payload.changes }) });

    const order = [
      ...llm.calls.calls("Generate").map((call) => ({ at: call.receivedAt.getTime(), what: "generate" })),
      ...hobom.calls
        .calls("SaveStudyMaterial")
        .filter((call) => (call.request as { diffId: string }).diffId === payload.diffId)
        .map((call) => ({ at: call.receivedAt.getTime(), what: "save" })),
      ...hobom.calls
        .calls("PatchOutboxMarkAsSentUseCase")
        .filter((call) => (call.request as { eventId: string }).eventId === row.eventId)
        .map((call) => ({ at: call.receivedAt.getTime(), what: "mark" })),
    ].sort((a, b) => a.at - b.at);
    expect(order.map((step) => step.what).slice(-3)).toEqual(["generate", "save", "mark"]);
  });
});

test("every call to every backend carried the api key", () => {
  for (const double of [hobom, space, angel, llm]) {
    const calls = double.calls.calls();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((call) => call.apiKey === TEST_API_KEY)).toBe(true);
  }
  expect(relay.logs.filter((line) => line.level === "error")).toEqual([]);
});

test("no api key ever appears in the logs", () => {
  const everything = JSON.stringify(relay.logs) + relay.stderr();
  expect(relay.logs.length).toBeGreaterThan(0);
  expect(everything).not.toContain(TEST_API_KEY);
  expect(everything).not.toContain(setup.env.HOBOM_INTERNAL_API_KEY as string);
});

test("a normal run writes nothing to stderr (no TimeoutNegativeWarning from kafkajs)", async () => {
  await Bun.sleep(1500);
  expect(relay.stderr()).toBe("");
});
