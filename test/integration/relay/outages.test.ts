/**
 * The relay under a Kafka outage and a stop in the middle of a backlog: nothing is lost, nothing
 * is marked FAILED because Kafka was away, and nothing reaches Kafka twice.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { type KafkaBroker, startKafkaBroker } from "../../infra/kafka-broker.ts";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis } from "../../support/redis-inspect.ts";
import { eventually, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";

let hobom: HoBomBackendDouble;
const { kafkaBrokers, redisUrl } = testbedEnv();

beforeAll(async () => {
  hobom = await startHoBomBackend({ apiKey: TEST_API_KEY });
});

afterEach(async () => {
  await killAllRelays();
  hobom.reset();
});

afterAll(() => hobom.stop());

function expectEachExactlyOnce(keys: string[], eventIds: string[]) {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  const duplicated = [...counts].filter(([, count]) => count > 1);
  const missing = eventIds.filter((id) => !counts.has(id));
  expect({ duplicated, missing, unexpected: counts.size - eventIds.length }).toEqual({ duplicated: [], missing: [], unexpected: 0 });
}

test("with the broker stopped while 200 rows are pending, nothing is FAILED or dead-lettered, and all 200 arrive once it is back", async () => {
  let broker: KafkaBroker | undefined;
  try {
    broker = await startKafkaBroker({ name: uniqueName("outage") });
    const setup = relayTestSetup({ hobom, kafkaBrokers: broker.brokers });
    await createTopics(broker.brokers, [setup.topics.messages]);
    const relay = await startRelayProcess(setup.env);
    const first = hobom.messages.add({ payload: messagePayload() });
    await eventually(() => first.status === "SENT");

    await broker.stop();
    const rows = Array.from({ length: 200 }, () => hobom.messages.add({ payload: messagePayload() }));
    await relay.waitForLog((line) => line.msg === "kafka unreachable; pipelines wait and nothing is marked FAILED", 30_000);
    await Bun.sleep(1000);
    expect(rows.filter((row) => row.status !== "PENDING")).toEqual([]);

    await broker.start();
    await eventually(
      () => rows.every((row) => row.status === "SENT"),
      60_000,
      () => `${rows.filter((row) => row.status === "SENT").length}/200 SENT`,
    );

    expect(hobom.calls.count("PatchOutboxMarkAsFailedUseCase")).toBe(0);
    const redis = inspectRedis(redisUrl, setup.namespace);
    try {
      expect(await redis.keys("dlq:*")).toEqual([]);
    } finally {
      redis.close();
    }
    const records = await readTopic(broker.brokers, setup.topics.messages);
    expectEachExactlyOnce(
      records.map((record) => record.key),
      [first.eventId, ...rows.map((row) => row.eventId)],
    );
    await relay.waitForLog((line) => line.msg === "kafka reachable again");
  } finally {
    await broker?.stop();
  }
}, 180_000);

test("SIGTERM in the middle of a 2,000-row backlog exits 0, and after a restart every row is delivered exactly once", async () => {
  // Small batches (about 10 rows each) and slow marks keep the first cycle sending for a while,
  // so the stop lands between two sends: some rows delivered, the rest never sent.
  const setup = relayTestSetup({ hobom, overrides: { HOBOM_KAFKA_MAX_MESSAGE_BYTES: "3000" } });
  await createTopics(kafkaBrokers, [setup.topics.messages]);
  hobom.faults.delay("PatchOutboxMarkAsSentUseCase", 15);
  const rows = Array.from({ length: 2000 }, () => hobom.messages.add({ payload: messagePayload() }));

  const first = await startRelayProcess(setup.env);
  await eventually(() => rows.some((row) => row.status === "SENT"), 30_000);
  expect(await first.stop()).toBe(0);
  const sentAtStop = rows.filter((row) => row.status === "SENT").length;
  expect(sentAtStop).toBeGreaterThan(0);
  expect(sentAtStop).toBeLessThan(rows.length);
  expect(first.logs.some((line) => line.msg === "stopped")).toBe(true);
  // Whatever the stopped relay published, it also recorded and marked before exiting.
  const published = (await readTopic(kafkaBrokers, setup.topics.messages)).length;
  expect(published).toBe(sentAtStop);

  hobom.faults.clear();
  await startRelayProcess(setup.env);
  await eventually(() => rows.every((row) => row.status === "SENT"), 60_000);

  const records = await readTopic(kafkaBrokers, setup.topics.messages);
  expectEachExactlyOnce(
    records.map((record) => record.key),
    rows.map((row) => row.eventId),
  );
  expect(hobom.calls.count("PatchOutboxMarkAsFailedUseCase")).toBe(0);
}, 120_000);

test("SIGTERM while the broker hangs (SIGSTOP) exits within HOBOM_SHUTDOWN_TIMEOUT_MS, closes included", async () => {
  let broker: KafkaBroker | undefined;
  try {
    broker = await startKafkaBroker({ name: uniqueName("hang") });
    const setup = relayTestSetup({
      hobom,
      kafkaBrokers: broker.brokers,
      overrides: { HOBOM_SHUTDOWN_TIMEOUT_MS: "3000", HOBOM_KAFKA_WRITE_TIMEOUT_MS: "20000" },
    });
    await createTopics(broker.brokers, [setup.topics.messages]);
    const relay = await startRelayProcess(setup.env);
    const first = hobom.messages.add({ payload: messagePayload() });
    await eventually(() => first.status === "SENT");

    broker.pause();
    const findsBefore = hobom.calls.count("FindOutboxByEventTypeAndStatusUseCase");
    Array.from({ length: 50 }, () => hobom.messages.add({ payload: messagePayload() }));
    // The next Find picks the rows up, and their send to the paused broker would wait 20 s for its answer.
    await eventually(() => hobom.calls.count("FindOutboxByEventTypeAndStatusUseCase") > findsBefore);
    await Bun.sleep(500);
    const stopped = performance.now();
    const code = await relay.stop();
    const took = performance.now() - stopped;
    expect(took).toBeLessThan(3_000 + 1_000);
    expect(code).toBe(1);
    expect(relay.logs.some((line) => line.level === "error" && String(line.msg).includes("shutdown timeout"))).toBe(true);
  } finally {
    broker?.resume();
    await broker?.kill();
  }
}, 120_000);
