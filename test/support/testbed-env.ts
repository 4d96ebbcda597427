/** What tests need to reach the shared test bed, and names that keep tests apart in it. */

/** Addresses of the shared Kafka and Redis, as set by preload.ts or run-tests.ts. */
export function testbedEnv(): { kafkaBrokers: string[]; redisUrl: string; kafkaLogFile: string } {
  const brokers = process.env.HOBOM_TEST_KAFKA_BROKERS;
  const redisUrl = process.env.HOBOM_TEST_REDIS_URL;
  if (!brokers || !redisUrl) {
    throw new Error(
      "HOBOM_TEST_KAFKA_BROKERS / HOBOM_TEST_REDIS_URL are not set: run tests with `npm test` " +
        "or `bun test` from the repository root (bunfig.toml preloads test/support/preload.ts)",
    );
  }
  return {
    kafkaBrokers: brokers.split(","),
    redisUrl,
    kafkaLogFile: process.env.HOBOM_TEST_KAFKA_LOG ?? "(unknown)",
  };
}

/**
 * A name no other test or test run uses, for topics, consumer groups and Redis key prefixes:
 * the shared servers keep data between runs, so tests must never look at each other's.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
