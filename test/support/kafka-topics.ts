/** Creating test topics and reading back everything the relay wrote to them, with kafkajs. */
import { Kafka, logLevel } from "kafkajs";
import { uniqueName } from "./testbed-env.ts";

export interface ConsumedRecord {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
  readonly partition: number;
  readonly offset: string;
}

function client(brokers: readonly string[]) {
  return new Kafka({ clientId: "hobom-tests", brokers: [...brokers], logLevel: logLevel.NOTHING });
}

/** Creates topics (one partition each) and waits for their leaders. */
export async function createTopics(brokers: readonly string[], topics: readonly string[]): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every record in `topic` up to its current end, in offset order. Reading to the high-water mark
 * (rather than "until N arrived") is what lets a test see duplicates.
 */
export async function readTopic(brokers: readonly string[], topic: string, timeoutMs = 20_000): Promise<ConsumedRecord[]> {
  const kafka = client(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = offsets.reduce((sum, partition) => sum + (Number(partition.high) - Number(partition.low)), 0);
  if (expected === 0) return [];

  const consumer = kafka.consumer({ groupId: uniqueName("reader"), sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${records.length} of ${expected} records from ${topic} in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          records.push({ key: String(message.key), value: String(message.value), headers, partition, offset: message.offset });
          if (records.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}
