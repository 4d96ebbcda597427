/**
 * Fault suite: the relay's Redis (a private, persistent one, as production Redis is) is stopped in the
 * middle of the stream, long enough for the pipeline leases to lapse, then started again. Nothing may
 * be lost or sent twice: the delivery records and DLQ entries written before the stop survive it.
 */
import { test } from "bun:test";
import { expectScenarioHeld } from "./support/expect.ts";
import { runScenario } from "./support/scenario.ts";
import { redisRestart } from "./support/scenarios.ts";

test(redisRestart.title, async () => {
  expectScenarioHeld(await runScenario(redisRestart));
}, 180_000);
