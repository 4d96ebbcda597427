/** What tests need to reach the shared test bed, and names that keep tests apart in it. */

/**
 * Addresses of the shared Kafka broker, Kafka cluster (3 nodes, RF 3; leave its nodes alone:
 * tests that stop or freeze nodes start a private cluster) and Redis, as set by preload.ts or
 * run-tests.ts.
 */
export function testbedEnv(): {
  kafkaBrokers: string[];
  kafkaClusterBrokers: string[];
  redisUrl: string;
  kafkaLogFile: string;
  kafkaClusterLogDir: string;
} {
  const brokers = process.env.HOBOM_TEST_KAFKA_BROKERS;
  const clusterBrokers = process.env.HOBOM_TEST_KAFKA_CLUSTER_BROKERS;
  const redisUrl = process.env.HOBOM_TEST_REDIS_URL;
  if (!brokers || !clusterBrokers || !redisUrl) {
    throw new Error(
      "HOBOM_TEST_KAFKA_BROKERS / HOBOM_TEST_KAFKA_CLUSTER_BROKERS / HOBOM_TEST_REDIS_URL are not set: run tests with " +
        "`npm test` or `bun test` from the repository root (bunfig.toml preloads test/support/preload.ts)",
    );
  }
  return {
    kafkaBrokers: brokers.split(","),
    kafkaClusterBrokers: clusterBrokers.split(","),
    redisUrl,
    kafkaLogFile: process.env.HOBOM_TEST_KAFKA_LOG ?? "(unknown)",
    kafkaClusterLogDir: process.env.HOBOM_TEST_KAFKA_CLUSTER_LOGS ?? "(unknown)",
  };
}

/**
 * A name no other test or test run uses, for topics, consumer groups and Redis key prefixes:
 * the shared servers keep data between runs, so tests must never look at each other's.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
