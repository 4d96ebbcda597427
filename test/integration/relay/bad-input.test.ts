/**
 * Bad input from the backends never crashes the relay or loses a row: each bad row gets a clear
 * reason in the DLQ and a FAILED mark, and the good rows around it are delivered as usual.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import protobuf from "protobufjs";
import {
  type AngelBackendDouble,
  angelApprovalPayload,
  type HoBomBackendDouble,
  messagePayload,
  type SpaceBackendDouble,
  spaceEventPayload,
  startAngelBackend,
  startHoBomBackend,
  startSpaceBackend,
} from "../../support/backends/index.ts";
import { DLQ_BASE, http } from "../../support/http-client.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY, TEST_INTERNAL_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

let hobom: HoBomBackendDouble;
let space: SpaceBackendDouble;
let angel: AngelBackendDouble;
const { kafkaBrokers: brokers, redisUrl } = testbedEnv();

beforeAll(async () => {
  [hobom, space, angel] = await Promise.all([
    startHoBomBackend({ apiKey: TEST_API_KEY }),
    startSpaceBackend({ apiKey: TEST_API_KEY }),
    startAngelBackend({ apiKey: TEST_API_KEY }),
  ]);
});

afterEach(async () => {
  await killAllRelays();
  for (const double of [hobom, space, angel]) double.reset();
});

afterAll(() => {
  for (const double of [hobom, space, angel]) double.stop();
});

async function startRelay(overrides: Record<string, string> = {}): Promise<{ setup: RelayTestSetup; relay: RelayProcess }> {
  const setup = relayTestSetup({ hobom, space, angel, overrides });
  await createTopics(brokers, Object.values(setup.topics));
  return { setup, relay: await startRelayProcess(setup.env) };
}

const spaceRow = new protobuf.Root()
  .loadSync(resolve(import.meta.dir, "../../../proto/outbox_space.proto"), { keepCase: true })
  .lookupType("outbox.space.QueryResult");

/**
 * Re-encodes the space Find response so that the rows with these eventIds carry `pageId` as a
 * string, as a backend built from a drifted .proto would send it.
 */
function pageIdAsString(eventIds: Set<string>) {
  return (bytes: Buffer): Buffer => {
    const reader = protobuf.Reader.create(bytes);
    const out = protobuf.Writer.create();
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const rowBytes = reader.bytes();
      const row = spaceRow.toObject(spaceRow.decode(rowBytes)) as { eventId: string; payload?: { entityType: string; title: string } };
      if (!eventIds.has(row.eventId)) {
        out.uint32(tag).bytes(rowBytes);
        continue;
      }
      const payload = protobuf.Writer.create();
      payload.uint32((1 << 3) | 2).string(row.payload?.entityType ?? "");
      payload.uint32((4 << 3) | 2).string("page-42");
      payload.uint32((5 << 3) | 2).string(row.payload?.title ?? "");
      const drifted = protobuf.Writer.create();
      drifted.uint32((2 << 3) | 2).string(row.eventId);
      drifted.uint32((3 << 3) | 2).string("SPACE_EVENT");
      drifted.uint32((4 << 3) | 2).bytes(payload.finish());
      drifted.uint32((5 << 3) | 2).string("PENDING");
      out.uint32(tag).bytes(drifted.finish());
    }
    return Buffer.from(out.finish());
  };
}

test("a row with a field of the wrong wire type goes to the DLQ with the decode error; the rows around it are delivered", async () => {
  const before = space.spaceEvents.add({ payload: spaceEventPayload({ pageId: "1" }) });
  const drifted = space.spaceEvents.add({ payload: spaceEventPayload({ pageId: "2" }) });
  const after = space.spaceEvents.add({ payload: spaceEventPayload({ pageId: "3" }) });
  space.faults.rewrite("/outbox.space.FindHoBomSpaceOutboxController/FindOutboxByEventTypeAndStatusUseCase", pageIdAsString(new Set([drifted.eventId])));
  const { setup } = await startRelay();

  await eventually(() => before.status === "SENT" && after.status === "SENT" && drifted.status === "FAILED");
  expect(drifted.lastError).toContain("cannot be decoded");
  const records = await readTopic(brokers, setup.topics.spaceEvents);
  expect(records.map((record) => record.key).sort()).toEqual([before.eventId, after.eventId].sort());
  const redis = inspectRedis(redisUrl, setup.namespace);
  try {
    const stored = JSON.parse((await redis.get(`${setup.namespace}dlq:space:${drifted.eventId}`)) ?? "null") as {
      eventId: string;
      decodeError: string;
      raw: string;
    };
    expect(stored.eventId).toBe(drifted.eventId);
    expect(stored.decodeError).toContain("wire type");
    expect(Buffer.from(stored.raw, "base64").toString("latin1")).toContain("page-42");
  } finally {
    redis.close();
  }
});

test("invalid UTF-8 in a text field is delivered with replacement characters, not a crash", async () => {
  const row = hobom.messages.add({ payload: messagePayload({ title: "BADUTF8" }) });
  // Same length, so every length prefix around it stays right.
  hobom.faults.rewrite("/outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase", (bytes) => {
    const at = bytes.indexOf("BADUTF8");
    if (at >= 0) Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0x80]).copy(bytes, at);
    return bytes;
  });
  const { setup, relay } = await startRelay();
  await eventually(() => row.status === "SENT");
  const [record] = await readTopic(brokers, setup.topics.messages);
  const title = (JSON.parse(record?.value ?? "{}") as { title: string }).title;
  expect(title).toContain("\ufffd");
  expect(relay.logs.filter((line) => line.level === "error")).toEqual([]);
});

test("an enum value the protos do not know is sent as its number, as Go printed it", async () => {
  const row = angel.outbox.add({ eventType: "ADOPTION_APPROVED", payload: angelApprovalPayload({ approval_type: 99 as unknown as "APPROVAL_TYPE_ADOPTION" }) });
  const { setup } = await startRelay();
  await eventually(() => row.status === "SENT");
  const [record] = await readTopic(brokers, setup.topics.angelEvents);
  expect(JSON.parse(record?.value ?? "{}")).toMatchObject({ eventType: "ADOPTION_APPROVED", approvalType: "99" });
});

test("a payload too large for Kafka goes to the DLQ with its value; the others are delivered", async () => {
  const small = hobom.messages.add({ payload: messagePayload() });
  const huge = hobom.messages.add({ payload: messagePayload({ body: "x".repeat(2_000_000) }) });
  const { setup } = await startRelay();
  await eventually(() => small.status === "SENT" && huge.status === "FAILED");
  expect(huge.lastError).toContain("HOBOM_KAFKA_MAX_MESSAGE_BYTES");
  expect((await readTopic(brokers, setup.topics.messages)).map((record) => record.key)).toEqual([small.eventId]);
  const redis = inspectRedis(redisUrl, setup.namespace);
  try {
    const stored = await redis.get(`${setup.namespace}dlq:menu:${huge.eventId}`);
    expect(stored?.length).toBeGreaterThan(2_000_000);
    expect((await redis.hgetall(`${setup.namespace}dlqmeta:dlq:menu:${huge.eventId}`)).replayable).toBe("1");
  } finally {
    redis.close();
  }
});

test("a Find response over 4 MiB is received whole (64 MiB limit) and its rows are delivered", async () => {
  const rows = Array.from({ length: 5 }, () => hobom.messages.add({ payload: messagePayload() }));
  hobom.faults.oversize("/outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase", 5 * 1024 * 1024);
  const { setup } = await startRelay();
  await eventually(() => rows.every((row) => row.status === "SENT"), 30_000);
  const keys = new Set((await readTopic(brokers, setup.topics.messages)).map((record) => record.key));
  expect(rows.every((row) => keys.has(row.eventId))).toBe(true);
}, 60_000);

test("a backlog whose Find response exceeds the receive limit is reported with what to raise, and delivered once it is raised", async () => {
  const rows = Array.from({ length: 3 }, () => hobom.messages.add({ payload: messagePayload() }));
  hobom.faults.oversize("/outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase", 5 * 1024 * 1024);
  const { relay } = await startRelay({ HOBOM_GRPC_MAX_RECEIVE_BYTES: String(4 * 1024 * 1024) });
  const failure = await relay.waitForLog((line) => line.msg === "cycle failed" && line.pipeline === "message");
  expect(String(failure.error)).toContain("raise HOBOM_GRPC_MAX_RECEIVE_BYTES");
  expect(rows.every((row) => row.status === "PENDING")).toBe(true);
  await killAllRelays();

  await startRelay({ HOBOM_GRPC_MAX_RECEIVE_BYTES: String(16 * 1024 * 1024) });
  await eventually(() => rows.every((row) => row.status === "SENT"), 30_000);
}, 60_000);

test("rows without payload whose eventId holds a glob star, a newline or 10 KB are dead-lettered under keys the API lists, reads and deletes", async () => {
  const odd = ["evil*id", "line\nbreak", "y".repeat(10_240)].map((eventId) => hobom.messages.add({ eventId, payload: null }));
  const plain = hobom.messages.add({ payload: null });
  const { setup, relay } = await startRelay();
  await eventually(() => [...odd, plain].every((row) => row.status === "FAILED"));
  const api = (method: string, path: string) => http(relay.httpUrl, method, `${DLQ_BASE}${path}`, { apiKey: TEST_INTERNAL_API_KEY });

  const listed = (await api("GET", `/dlq?prefix=${encodeURIComponent(`${setup.namespace}dlq:menu:`)}`)).body.items as string[];
  expect(listed).toHaveLength(4);
  // The Go processor's key for an ordinary eventId; a digest for the others.
  expect(listed).toContain(`${setup.namespace}dlq:menu:${plain.eventId}`);
  expect(listed.filter((key) => /dlq:menu:sha256-[0-9a-f]{64}$/.test(key))).toHaveLength(3);
  const eventIds: string[] = [];
  for (const key of listed) {
    const read = await api("GET", `/dlq/${encodeURIComponent(key)}`);
    expect(read.status).toBe(200);
    eventIds.push(read.body.meta.eventId);
    expect(read.body.item.eventId).toBe(read.body.meta.eventId);
    expect((await api("DELETE", `/dlq/${encodeURIComponent(key)}`)).status).toBe(200);
  }
  expect(eventIds.sort()).toEqual([...odd, plain].map((row) => row.eventId).sort());
  expect((await api("GET", "/dlq")).body.items).toEqual([]);
});
