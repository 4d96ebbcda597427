/**
 * The shared test bed (real Kafka, real Redis), started or reused exactly as the test suite does,
 * and handed to the test support code through the same HOBOM_TEST_* variables.
 */
import { ensureTestbed, testbedEnvVars } from "../test/infra/testbed.ts";

export interface BenchTestbed {
  readonly kafkaBrokers: string[];
  readonly redisUrl: string;
}

export async function benchTestbed(): Promise<BenchTestbed> {
  const testbed = await ensureTestbed();
  Object.assign(process.env, testbedEnvVars(testbed));
  return { kafkaBrokers: testbed.kafkaBrokers, redisUrl: testbed.redisUrl };
}
