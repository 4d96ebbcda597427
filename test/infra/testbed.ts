/**
 * The shared test bed: one Kafka broker, one 3-node Kafka cluster and one Redis that every test
 * run reuses. Tests keep out of each other's way with unique topic names and key prefixes (see
 * test/support/testbed-env.ts); tests that take servers down start private ones.
 */
import { sharedKafkaBroker } from "./kafka-broker.ts";
import { sharedKafkaCluster } from "./kafka-shared-cluster.ts";
import { sharedRedisUrl } from "./redis-shared.ts";

/** Addresses of the shared servers. */
export interface Testbed {
  kafkaBrokers: string[];
  kafkaLogFile: string;
  /** Bootstrap list of the shared cluster: every node's client address. */
  kafkaClusterBrokers: string[];
  /** The directory holding the shared cluster's node-<id>.log files. */
  kafkaClusterLogDir: string;
  redisUrl: string;
}

/**
 * Makes sure the shared Kafka broker, Kafka cluster and Redis run (reusing running ones: fast;
 * starting missing ones together) and returns where.
 */
export async function ensureTestbed(): Promise<Testbed> {
  const [kafka, cluster, redisUrl] = await Promise.all([sharedKafkaBroker(), sharedKafkaCluster(), sharedRedisUrl()]);
  return {
    kafkaBrokers: kafka.brokers,
    kafkaLogFile: kafka.logFile,
    kafkaClusterBrokers: cluster.brokers,
    kafkaClusterLogDir: cluster.logDir,
    redisUrl,
  };
}

/** The environment variables through which tests receive the test bed (read by testbed-env.ts). */
export function testbedEnvVars(testbed: Testbed): Record<string, string> {
  return {
    HOBOM_TEST_KAFKA_BROKERS: testbed.kafkaBrokers.join(","),
    HOBOM_TEST_KAFKA_LOG: testbed.kafkaLogFile,
    HOBOM_TEST_KAFKA_CLUSTER_BROKERS: testbed.kafkaClusterBrokers.join(","),
    HOBOM_TEST_KAFKA_CLUSTER_LOGS: testbed.kafkaClusterLogDir,
    HOBOM_TEST_REDIS_URL: testbed.redisUrl,
  };
}

/** A few lines for humans: what runs where. */
export function describeTestbed(testbed: Testbed): string {
  const rows: [string, string][] = [
    ["kafka", testbed.kafkaBrokers.join(",")],
    ["kafka log", testbed.kafkaLogFile],
    ["cluster", testbed.kafkaClusterBrokers.join(",")],
    ["cluster logs", `${testbed.kafkaClusterLogDir}/node-<id>.log`],
    ["redis", testbed.redisUrl],
  ];
  return rows.map(([what, where]) => `  ${what.padEnd(12)} ${where}`).join("\n");
}
