/**
 * Fault suite: a rolling restart. A new instance starts beside the running one, then the old one gets
 * SIGTERM: it finishes its cycle, releases its leases and exits 0, and the new one takes over at once.
 * Nothing may be lost or sent twice.
 */
import { test } from "bun:test";
import { expectScenarioHeld } from "./support/expect.ts";
import { runScenario } from "./support/scenario.ts";
import { rollingRestart } from "./support/scenarios.ts";

test(rollingRestart.title, async () => {
  expectScenarioHeld(await runScenario(rollingRestart));
}, 180_000);
