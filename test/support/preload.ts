/**
 * bun test preload (bunfig.toml). Makes the shared test bed available to every test file through
 * HOBOM_TEST_* environment variables (see testbed-env.ts): run-tests.ts sets them before starting
 * bun test, so only a bare `bun test` does the work here, and reusing a running test bed is fast.
 *
 * It cannot raise the per-test timeout: setDefaultTimeout() in a preload reaches only the first
 * test file (Bun 1.4.5), so run-tests.ts passes --timeout instead.
 */
import { ensureTestbed, testbedEnvVars } from "../infra/testbed.ts";

if (!process.env.HOBOM_TEST_KAFKA_BROKERS || !process.env.HOBOM_TEST_REDIS_URL) {
  Object.assign(process.env, testbedEnvVars(await ensureTestbed()));
}
