/**
 * The shared test bed: one Kafka broker and one Redis that every test run reuses. Tests keep out
 * of each other's way with unique topic names and key prefixes (see test/support/testbed-env.ts).
 */
import { sharedKafkaBroker } from "./kafka-broker.ts";
import { sharedRedisUrl } from "./redis-server.ts";

/** Addresses of the shared servers. */
export interface Testbed {
  kafkaBrokers: string[];
  kafkaLogFile: string;
  redisUrl: string;
}

/** Makes sure the shared Kafka and Redis run (reusing running ones: fast) and returns where. */
export async function ensureTestbed(): Promise<Testbed> {
  const [kafka, redisUrl] = await Promise.all([sharedKafkaBroker(), sharedRedisUrl()]);
  return { kafkaBrokers: kafka.brokers, kafkaLogFile: kafka.logFile, redisUrl };
}

/** The environment variables through which tests receive the test bed (read by testbed-env.ts). */
export function testbedEnvVars(testbed: Testbed): Record<string, string> {
  return {
    HOBOM_TEST_KAFKA_BROKERS: testbed.kafkaBrokers.join(","),
    HOBOM_TEST_KAFKA_LOG: testbed.kafkaLogFile,
    HOBOM_TEST_REDIS_URL: testbed.redisUrl,
  };
}

/** A few lines for humans: what runs where. */
export function describeTestbed(testbed: Testbed): string {
  const rows: [string, string][] = [
    ["kafka", testbed.kafkaBrokers.join(",")],
    ["kafka log", testbed.kafkaLogFile],
    ["redis", testbed.redisUrl],
  ];
  return rows.map(([what, where]) => `  ${what.padEnd(10)} ${where}`).join("\n");
}
