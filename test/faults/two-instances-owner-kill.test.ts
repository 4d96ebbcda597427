/**
 * Fault suite: two relay instances run for the whole stream (one owns the pipelines, the other stands
 * by); halfway the lease owner is SIGKILLed and the other takes over when the leases expire. Only the
 * batch the dead owner had acknowledged but not recorded may arrive twice.
 */
import { test } from "bun:test";
import { expectScenarioHeld } from "./support/expect.ts";
import { runScenario } from "./support/scenario.ts";
import { twoInstancesOwnerKill } from "./support/scenarios.ts";

test(twoInstancesOwnerKill.title, async () => {
  expectScenarioHeld(await runScenario(twoInstancesOwnerKill));
}, 180_000);
