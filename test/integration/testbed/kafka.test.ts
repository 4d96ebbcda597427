/**
 * Proves the test bed's Kafka works with the client the service uses (kafkajs from Bun), with the
 * producer settings the service relies on: idempotent, acks from all in-sync replicas.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type IHeaders, Kafka, type KafkaMessage, logLevel } from "kafkajs";
import { type KafkaBroker, startKafkaBroker } from "../../infra/kafka-broker.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";

const client = (brokers: string[]) => new Kafka({ clientId: uniqueName("testbed-test"), brokers, logLevel: logLevel.NOTHING });

async function produce(kafka: Kafka, topic: string, messages: { key: string; value: string; headers: IHeaders }[]) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Reads `count` messages from the start of `topic` with a fresh consumer group. */
async function consume(kafka: Kafka, topic: string, count: number): Promise<KafkaMessage[]> {
  // Short session/heartbeat/wait settings: a test consumer should join and fetch in about a second.
  const consumer = kafka.consumer({
    groupId: uniqueName("testbed-group"),
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<KafkaMessage[]>((resolve, reject) => {
      const received: KafkaMessage[] = [];
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push(message);
            if (received.length === count) resolve(received);
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

const text = (headers: IHeaders | undefined) => Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

// Own timeouts, so that a bare `bun test` (5 s default; run-tests.ts passes 60 s) runs them too.
describe("test bed Kafka", () => {
  test("kafkajs round-trips keys, headers and values through the shared broker", async () => {
    const kafka = client(testbedEnv().kafkaBrokers);
    const topic = uniqueName("testbed-roundtrip");
    const sent = [
      { key: "order-1", value: JSON.stringify({ id: 1, note: "first" }), headers: { "event-type": "ORDER_CREATED", "trace-id": "a1" } },
      { key: "order-2", value: JSON.stringify({ id: 2, note: "ünïcödé ✓" }), headers: { "event-type": "ORDER_PAID", "trace-id": "b2" } },
      { key: "order-1", value: "", headers: { "event-type": "ORDER_DELETED", "trace-id": "c3" } },
    ];

    await produce(kafka, topic, sent);
    const received = await consume(kafka, topic, sent.length);

    expect(
      received.map((message) => ({
        key: message.key?.toString(),
        value: message.value?.toString(),
        headers: text(message.headers),
      })),
    ).toEqual(sent);
  }, 30_000);

  describe("private broker", () => {
    let broker: KafkaBroker;
    beforeAll(async () => {
      broker = await startKafkaBroker({ name: uniqueName("testbed-restart") });
    }, 120_000);
    afterAll(() => broker?.stop());

    test("keeps acknowledged messages across a crash and restart on the same port", async () => {
      const topic = uniqueName("testbed-durable");
      const addressBeforeCrash = [...broker.brokers];
      await produce(client(addressBeforeCrash), topic, [{ key: "k", value: "survives", headers: { h: "v" } }]);

      await broker.kill();
      expect(broker.isRunning()).toBe(false);
      await broker.start();

      const [message] = await consume(client(addressBeforeCrash), topic, 1);
      expect(message?.key?.toString()).toBe("k");
      expect(message?.value?.toString()).toBe("survives");
      expect(text(message?.headers)).toEqual({ h: "v" });
    }, 120_000);

    test("paused it leaves requests unanswered; resumed it answers again", async () => {
      const describeCluster = async () => {
        const admin = new Kafka({
          clientId: uniqueName("testbed-test"),
          brokers: broker.brokers,
          logLevel: logLevel.NOTHING,
          connectionTimeout: 1_000,
          requestTimeout: 1_000,
          retry: { retries: 0 },
        }).admin();
        try {
          await admin.connect();
          return (await admin.describeCluster()).brokers.map((node) => node.nodeId);
        } finally {
          await admin.disconnect().catch(() => {});
        }
      };
      broker.pause();
      try {
        // The kernel still accepts the connection; nothing answers on it, so the request times out.
        const error = await describeCluster().then(
          () => null,
          (reason: Error & { cause?: Error }) => reason,
        );
        expect({ name: error?.name, cause: error?.cause?.name }).toEqual({
          name: "KafkaJSNumberOfRetriesExceeded",
          cause: "KafkaJSRequestTimeoutError",
        });
        expect(broker.isRunning()).toBe(true);
      } finally {
        broker.resume();
      }
      expect(await describeCluster()).toEqual([1]);
    }, 30_000);
  });
});
