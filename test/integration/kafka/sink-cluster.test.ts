/**
 * The Kafka sink on a 3-broker cluster (Kafka's jars, KRaft): one kafkajs send per partition, so
 * every record's outcome is its partition's. A record refused on one partition is refused alone,
 * without re-sending what the other partitions acknowledged and without wedging the producer; a
 * topic that does not exist is its own error; a partition whose only broker is down fails at once
 * while the others keep flowing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import type { DeliveryOutcome } from "../../../src/engine/ports.ts";
import { silentLogger } from "../../../src/observability/logger.ts";
import { KafkaTopicError } from "../../../src/sinks/kafka/errors.ts";
import type { KafkaMessage } from "../../../src/sinks/kafka/message.ts";
import type { GateChange } from "../../../src/sinks/kafka/partition-gates.ts";
import { createKafkaSink, type KafkaSink } from "../../../src/sinks/kafka/sink.ts";
import { type KafkaCluster, startKafkaCluster } from "../../infra/kafka-cluster.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";

const sinks: KafkaSink[] = [];
afterAll(async () => {
  await Promise.all(sinks.map((sink) => sink.close()));
});

function sink(brokers: readonly string[], options: { onPartitionChange?: (change: GateChange) => void } = {}): KafkaSink {
  const created = createKafkaSink({
    brokers,
    clientId: uniqueName("sink-test"),
    acks: -1,
    writeTimeoutMs: 5_000,
    maxMessageBytes: 1_000_000,
    backoffMs: [500, 1_000],
    log: silentLogger,
    onPartitionChange: options.onPartitionChange,
  });
  sinks.push(created);
  return created;
}

const records = (topic: string, count: number, prefix = "k", valueBytes = 20): KafkaMessage[] =>
  Array.from({ length: count }, (_, index) => ({
    topic,
    key: `${prefix}-${index}-${crypto.randomUUID()}`,
    value: "v".repeat(valueBytes),
    headers: { "event-id": `${prefix}-${index}` },
  }));

const NEVER = new AbortController().signal;
const send = (target: KafkaSink, messages: readonly KafkaMessage[]): Promise<DeliveryOutcome[]> => target.deliver(messages, NEVER);

/** kafkajs's own choice of partition for a key, to check the relay keeps every key where it always went. */
function kafkajsPartition(key: string, count: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));
  return Partitioners.DefaultPartitioner()({ topic: "t", partitionMetadata, message: { key, value: "" } });
}

describe("on the shared 3-broker cluster", () => {
  const { kafkaClusterBrokers: brokers } = testbedEnv();

  test("sends a batch over 6 partitions, each record to kafkajs's partition for its key, each exactly once", async () => {
    const topic = uniqueName("sink-six");
    await createTopics(brokers, [{ topic, partitions: 6, replicationFactor: 3, configs: { "min.insync.replicas": "2" } }]);
    const batch = records(topic, 600);
    const outcomes = await send(sink(brokers), batch);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const read = await readTopic(brokers, topic);
    expect(read).toHaveLength(600);
    const partitionOfKey = new Map(read.map((record) => [record.key, record.partition]));
    for (const record of batch) expect(partitionOfKey.get(record.key)).toBe(kafkajsPartition(record.key, 6));
    expect(new Set(read.map((record) => record.partition)).size).toBe(6);
  });

  test("refuses a too-large record on its partition alone; the other partitions' records are acknowledged once, and the producer keeps working", async () => {
    const topic = uniqueName("sink-refused");
    await createTopics(brokers, [{ topic, partitions: 3, replicationFactor: 3, configs: { "max.message.bytes": "50000", "min.insync.replicas": "2" } }]);
    const relaySink = sink(brokers);
    const batch = records(topic, 30);
    const big = { topic, key: `big-${crypto.randomUUID()}`, value: "x".repeat(60_000), headers: {} };
    const bigPartition = kafkajsPartition(big.key, 3);
    const outcomes = await send(relaySink, [...batch.slice(0, 15), big, ...batch.slice(15)]);
    const byKey = new Map([...batch.slice(0, 15), big, ...batch.slice(15)].map((record, index) => [record.key, outcomes[index]]));
    const bigOutcome = byKey.get(big.key);
    expect(bigOutcome?.ok).toBe(false);
    expect(bigOutcome && !bigOutcome.ok && bigOutcome.kind).toBe("rejected");
    expect(bigOutcome && !bigOutcome.ok && bigOutcome.error.message).toContain("MESSAGE_TOO_LARGE");
    for (const record of batch) {
      // Records that shared the refused partition's request were refused with it; every other one went through.
      expect(byKey.get(record.key)?.ok).toBe(kafkajsPartition(record.key, 3) !== bigPartition);
    }
    const sharedFate = batch.filter((record) => kafkajsPartition(record.key, 3) === bigPartition);
    // The same producer, next send: the refused partition's other records go through, no stale sequence numbers.
    const again = await send(relaySink, sharedFate);
    expect(again.every((outcome) => outcome.ok)).toBe(true);
    const more = records(topic, 30, "after");
    expect((await send(relaySink, more)).every((outcome) => outcome.ok)).toBe(true);
    const read = await readTopic(brokers, topic);
    expect(read.map((record) => record.key).sort()).toEqual([...batch, ...more].map((record) => record.key).sort());
  });

  test("a topic that does not exist (the cluster creates none on demand) is a KafkaTopicError naming it", async () => {
    const topic = uniqueName("sink-missing");
    const error = await send(sink(brokers), records(topic, 3)).catch((caught) => caught);
    expect(error).toBeInstanceOf(KafkaTopicError);
    expect((error as KafkaTopicError).reason).toBe("missing");
    expect((error as Error).message).toContain(topic);
  });
});

describe("on a private cluster with one broker down", () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    cluster = await startKafkaCluster({ name: uniqueName("sink-rf1") });
  }, 120_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  test("partitions whose leaders are up keep flowing; the dead broker's fail at once, retriable, and go through once it is back", async () => {
    const topic = uniqueName("sink-rf1");
    await cluster.createTopic({ topic, partitions: 6, replicationFactor: 1, configs: { "min.insync.replicas": "1" } });
    const changes: GateChange[] = [];
    const relaySink = sink(cluster.brokers, { onPartitionChange: (change) => void changes.push(change) });
    expect((await send(relaySink, records(topic, 60, "warm"))).every((outcome) => outcome.ok)).toBe(true);

    const victim = cluster.nodes[2] as (typeof cluster.nodes)[number];
    const dead = new Set(await cluster.partitionsLedBy(topic, victim.id));
    expect(dead.size).toBeGreaterThan(0);
    await victim.kill();

    const batch = records(topic, 120, "during");
    const first = await send(relaySink, batch);
    const started = performance.now();
    const second = await send(relaySink, batch);
    const fastFail = performance.now() - started;
    for (const [index, record] of batch.entries()) {
      const onDead = dead.has(kafkajsPartition(record.key, 6));
      const outcome = first[index];
      expect(outcome?.ok).toBe(!onDead);
      if (outcome && !outcome.ok) expect(outcome.kind).toBe("deferred");
    }
    // The live partitions took their records again (a duplicate only this test makes); the dead
    // ones waited behind their gate, without a network round trip.
    expect(second.filter((outcome) => !outcome.ok)).toHaveLength(first.filter((outcome) => !outcome.ok).length);
    expect(fastFail).toBeLessThan(1_000);
    expect(
      changes
        .filter((change) => change.closed)
        .map((change) => change.partition)
        .sort(),
    ).toEqual([...dead].sort());

    await victim.start();
    let pending = batch.filter((record) => dead.has(kafkajsPartition(record.key, 6)));
    const deadline = Date.now() + 60_000;
    while (pending.length > 0 && Date.now() < deadline) {
      const outcomes = await send(relaySink, pending);
      pending = pending.filter((_, index) => !outcomes[index]?.ok);
      if (pending.length > 0) await Bun.sleep(500);
    }
    expect(pending).toEqual([]);
    expect(changes.some((change) => !change.closed)).toBe(true);
  }, 120_000);
});
