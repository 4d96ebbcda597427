/** The Kafka sink, on the shared 3-broker cluster (a topic of 3 partitions that takes at most 50 KB a request), passes the sink contract. */
import { silentLogger } from "../../src/observability/logger.ts";
import type { KafkaMessage } from "../../src/sinks/kafka/message.ts";
import { createKafkaSink } from "../../src/sinks/kafka/sink.ts";
import { createTopics, readTopic } from "../support/kafka-topics.ts";
import { testbedEnv, uniqueName } from "../support/testbed-env.ts";
import { sinkContract } from "./sink-contract.ts";

const kafkaSink = (brokers: readonly string[]) =>
  createKafkaSink({
    brokers,
    clientId: uniqueName("contract"),
    acks: -1,
    writeTimeoutMs: 3_000,
    maxMessageBytes: 1_000_000,
    backoffMs: [500],
    log: silentLogger,
  });

sinkContract<KafkaMessage>("kafka (3-broker cluster)", { unreachable: "throws", destinations: true }, async () => {
  const { kafkaClusterBrokers: brokers } = testbedEnv();
  const topic = uniqueName("contract");
  await createTopics(brokers, [{ topic, partitions: 3, replicationFactor: 3, configs: { "max.message.bytes": "50000", "min.insync.replicas": "2" } }]);
  let serial = 0;
  return {
    sink: () => kafkaSink(brokers),
    message: (key) => ({
      topic,
      key: key ?? `key-${crypto.randomUUID()}`,
      value: `value-${serial++}-${crypto.randomUUID()}`,
      headers: { "event-id": "contract" },
    }),
    idOf: (message) => message.value,
    delivered: async () => (await readTopic(brokers, topic)).map((record) => record.value),
    refused: () => ({ topic, key: `big-${crypto.randomUUID()}`, value: "x".repeat(60_000), headers: {} }),
    unreachable: () => kafkaSink(["127.0.0.1:1"]),
    missingDestination: () => ({ topic: uniqueName("absent"), key: "k", value: "v", headers: {} }),
    close: async () => {},
  };
});
