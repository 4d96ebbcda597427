/**
 * bun test preload (bunfig.toml). Makes the shared test bed available to every test file through
 * HOBOM_TEST_* environment variables (see testbed-env.ts): run-tests.ts sets them before starting
 * bun test, so only a bare `bun test` does the work here, and reusing a running test bed is fast.
 *
 * It also kills what tests left running once all files have run (below). It cannot raise the
 * per-test timeout: setDefaultTimeout() in a preload reaches only the first test file (Bun 1.4.5),
 * so run-tests.ts passes --timeout instead.
 */
import { afterAll } from "bun:test";
import { releaseChildren } from "../infra/processes.ts";
import { ensureTestbed, testbedEnvVars } from "../infra/testbed.ts";

// bun test runs no "exit" handlers: kill what tests left running and remove their directories
// once every file has run (a global hook, as it is registered in the preload).
afterAll(releaseChildren);

if (!process.env.HOBOM_TEST_KAFKA_BROKERS || !process.env.HOBOM_TEST_KAFKA_CLUSTER_BROKERS || !process.env.HOBOM_TEST_REDIS_URL) {
  Object.assign(process.env, testbedEnvVars(await ensureTestbed()));
}
