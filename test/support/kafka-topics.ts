/** Creating test topics and reading back everything the relay wrote to them, with kafkajs. */
import { Kafka, logLevel } from "kafkajs";
import { uniqueName } from "./testbed-env.ts";

/** One record as readTopic() returns it: key, value and header values as UTF-8 strings. */
export interface ConsumedRecord {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
  readonly partition: number;
  readonly offset: string;
}

/** A topic to create; what is left out takes the defaults below. */
export interface TopicSpec {
  readonly topic: string;
  /** Default 1. */
  readonly partitions?: number;
  /** Default: the broker's default.replication.factor (1 on the single broker, 3 on a cluster). */
  readonly replicationFactor?: number;
  /** Topic configs, e.g. { "max.message.bytes": "1048588", "min.insync.replicas": "2" }. */
  readonly configs?: Readonly<Record<string, string>>;
}

function client(brokers: readonly string[]) {
  return new Kafka({ clientId: "hobom-tests", brokers: [...brokers], logLevel: logLevel.NOTHING });
}

/**
 * Creates topics and waits for their leaders: a name alone means one partition and the broker's
 * defaults, a TopicSpec says more. Topics that already exist are left as they are.
 */
export async function createTopics(brokers: readonly string[], topics: readonly (string | TopicSpec)[]): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((entry) => {
        const spec: TopicSpec = typeof entry === "string" ? { topic: entry } : entry;
        return {
          topic: spec.topic,
          numPartitions: spec.partitions ?? 1,
          // -1 (kafkajs's default too) asks the broker for its default.replication.factor.
          replicationFactor: spec.replicationFactor ?? -1,
          configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
        };
      }),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every record in `topic` up to its current end (each partition's high-water mark when the call
 * starts), ordered by partition and offset. Reading to the high-water marks (rather than "until
 * N arrived") is what lets a test see duplicates; records written after the call starts are left
 * out, so that a busy partition cannot stand in for a slow one.
 */
export async function readTopic(brokers: readonly string[], topic: string, timeoutMs = 20_000): Promise<ConsumedRecord[]> {
  const kafka = client(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  // Per partition: the offset to read up to (exclusive), and the next offset still missing.
  const end = new Map(offsets.map((partition) => [partition.partition, Number(partition.high)]));
  const next = new Map(offsets.map((partition) => [partition.partition, Number(partition.low)]));
  const pending = () => [...end].filter(([partition, high]) => (next.get(partition) ?? 0) < high);
  if (pending().length === 0) return [];

  const consumer = kafka.consumer({
    groupId: uniqueName("reader"),
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    // disconnect() waits for every broker's fetch in flight; a broker that leads only drained or
    // empty partitions holds its fetch for this long (5 s by default, which every read paid).
    maxWaitTimeInMs: 250,
  });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const missing = pending().map(([partition, high]) => `p${partition} at ${next.get(partition)} of ${high}`);
        reject(new Error(`read ${records.length} records from ${topic} in ${timeoutMs} ms; still missing ${missing.join(", ")}`));
      }, timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            const offset = Number(message.offset);
            if (offset >= (end.get(partition) ?? 0)) return;
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
            records.push({ key: String(message.key), value: String(message.value), headers, partition, offset: message.offset });
            // Track the position, not a count: offsets inside a partition may have gaps (compaction).
            next.set(partition, offset + 1);
            if (pending().length === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}
