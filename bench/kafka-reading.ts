/**
 * Looking at what reached Kafka: how many records a topic holds (high-water marks, no consuming),
 * and a live receiver that notes, per record key, when the bench process received it and the
 * record's CreateTime (set by kafkajs when the relay called send).
 */
import { Kafka, logLevel } from "kafkajs";
import { uniqueName } from "../test/support/testbed-env.ts";
import { wallClockMs } from "./clock.ts";

function client(brokers: readonly string[]) {
  return new Kafka({ clientId: "hobom-bench", brokers: [...brokers], logLevel: logLevel.NOTHING });
}

/** Records in the topic (sum over partitions of high − low). */
export async function countRecords(brokers: readonly string[], topic: string): Promise<number> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export interface Receiver {
  /** Wall-clock ms at which each key was first received. */
  readonly receivedAtMs: Map<string, number>;
  /** Each key's record timestamp (CreateTime: when the producer's send() was called), ms. */
  readonly createTimeMs: Map<string, number>;
  /** Records received, duplicates included. */
  records(): number;
  stop(): Promise<void>;
}

/** Subscribes to `topic` from its beginning; resolves once the consumer has joined its group. */
export async function startReceiver(brokers: readonly string[], topic: string): Promise<Receiver> {
  const consumer = client(brokers).consumer({
    groupId: uniqueName("bench-receiver"),
    // Answer a fetch as soon as one record is there: the receive time is a latency bound.
    maxWaitTimeInMs: 50,
    minBytes: 1,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const receivedAtMs = new Map<string, number>();
  const createTimeMs = new Map<string, number>();
  let records = 0;
  await consumer.connect();
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      const now = wallClockMs();
      for (const message of batch.messages) {
        records++;
        const key = message.key?.toString() ?? "";
        if (!receivedAtMs.has(key)) {
          receivedAtMs.set(key, now);
          createTimeMs.set(key, Number(message.timestamp));
        }
      }
    },
  });
  await joined;
  return {
    receivedAtMs,
    createTimeMs,
    records: () => records,
    async stop() {
      await consumer.disconnect();
    },
  };
}
