/**
 * Proves the test bed's 3-node Kafka cluster: replication like production (RF 3, acks from all
 * in-sync replicas), and the fault tools fault tests rely on: a frozen leader loses its
 * leaderships and rejoins the ISRs when thawed, a crashed node comes back with its data, and a
 * cluster stopped as a whole starts again. Also that the shared cluster is reused, and that
 * readTopic reads every partition of a multi-partition topic to its end.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Kafka, logLevel } from "kafkajs";
import { type KafkaCluster, startKafkaCluster } from "../../infra/kafka-cluster.ts";
import { sharedKafkaCluster } from "../../infra/kafka-shared-cluster.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";

/** Sends messages with the producer settings the relay uses: idempotent, acks from every in-sync replica. */
async function produce(brokers: string[], topic: string, messages: { key: string; value: string; partition?: number }[]) {
  const producer = new Kafka({ clientId: uniqueName("cluster-test"), brokers, logLevel: logLevel.NOTHING }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

const messages = (count: number) => Array.from({ length: count }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` }));
const keysOf = (records: { key: string }[]) => records.map((record) => record.key).sort();

describe("shared Kafka cluster", () => {
  test("is reused: asking again returns the same brokers at once, the ones tests receive", async () => {
    const askedAt = Date.now();
    const cluster = await sharedKafkaCluster();
    expect(Date.now() - askedAt).toBeLessThan(2_000);
    expect(cluster.brokers).toEqual(testbedEnv().kafkaClusterBrokers);
    expect(cluster.brokers).toHaveLength(3);
  });

  test("readTopic reads all 6 partitions to their ends, empty ones included", async () => {
    const { kafkaClusterBrokers: brokers } = testbedEnv();
    const topic = uniqueName("cluster-read");
    await createTopics(brokers, [{ topic, partitions: 6, replicationFactor: 3, configs: { "min.insync.replicas": "2" } }]);
    // Partitions 1 and 4 stay empty; the others hold different numbers of records.
    const sent = [0, 2, 3, 5].flatMap((partition) => Array.from({ length: partition + 1 }, (_, i) => ({ key: `p${partition}-${i}`, value: "v", partition })));
    await produce(brokers, topic, sent);

    const records = await readTopic(brokers, topic);
    expect(records.map((record) => `${record.partition}:${record.key}`)).toEqual(sent.map((m) => `${m.partition}:${m.key}`));
  }, 30_000);
});

describe("private Kafka cluster", () => {
  let cluster: KafkaCluster;
  let topic: string;
  const sent = messages(30);

  beforeAll(async () => {
    cluster = await startKafkaCluster({ name: uniqueName("testbed-cluster") });
    topic = uniqueName("cluster-topic");
  }, 120_000);
  afterAll(() => cluster?.destroy());

  test("a 6-partition RF 3 topic gets leaders on several nodes, and an acks=all produce reads back", async () => {
    expect(cluster.nodes.map((node) => node.id)).toEqual([1, 2, 3]);
    expect(cluster.brokers).toEqual(cluster.nodes.map((node) => node.address));
    await cluster.createTopic({ topic, partitions: 6, replicationFactor: 3, configs: { "min.insync.replicas": "2" } });

    const partitions = await cluster.partitions(topic);
    expect(partitions).toHaveLength(6);
    for (const partition of partitions) {
      expect([...partition.replicas].sort()).toEqual([1, 2, 3]);
      expect([...partition.isr].sort()).toEqual([1, 2, 3]);
    }
    expect(new Set(partitions.map((partition) => partition.leader)).size).toBeGreaterThan(1);

    await produce(cluster.brokers, topic, sent);
    const records = await readTopic(cluster.brokers, topic);
    expect(keysOf(records)).toEqual(keysOf(sent));
    expect(new Set(records.map((record) => record.partition)).size).toBeGreaterThan(1);
  }, 60_000);

  test("a paused leader loses its partition within 15 s and rejoins every ISR once resumed", async () => {
    const leader = await cluster.leaderOf(topic, 0);
    const node = cluster.node(leader);
    node.pause();
    const pausedAt = Date.now();
    try {
      expect(node.isPaused()).toBe(true);
      const moved = await cluster.waitUntilNotLeading(topic, leader, 15_000);
      expect(Date.now() - pausedAt).toBeLessThan(15_000);
      // Fenced: out of the ISRs, and what it led is led by the other two.
      for (const partition of moved) expect(partition.isr).not.toContain(leader);
      expect(await cluster.partitionsLedBy(topic, leader)).toEqual([]);
    } finally {
      node.resume();
    }
    expect(node.isPaused()).toBe(false);
    const healed = await cluster.waitForFullIsr(topic, 30_000);
    for (const partition of healed) expect(partition.isr).toContain(leader);
  }, 60_000);

  test("a killed node starts again on the same ports with its data and rejoins the ISRs", async () => {
    const node = cluster.node(2);
    const pidBefore = node.pid();
    await node.kill();
    expect(node.isRunning()).toBe(false);
    await cluster.waitUntilNotLeading(topic, 2, 15_000);

    await node.start();
    expect(node.pid()).not.toBe(pidBefore);
    await cluster.waitForFullIsr(topic, 30_000);
    expect(keysOf(await readTopic([node.address], topic))).toEqual(keysOf(sent));
  }, 60_000);

  test("stopped as a whole it starts again together, with every record", async () => {
    await cluster.stopAll();
    expect(cluster.nodes.some((node) => node.isRunning())).toBe(false);
    await cluster.startAll();
    await cluster.waitForFullIsr(topic, 30_000);
    expect(keysOf(await readTopic(cluster.brokers, topic))).toEqual(keysOf(sent));
  }, 90_000);
});
