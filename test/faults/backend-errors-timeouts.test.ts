/**
 * Fault suite: for-hobom-backend (message and log pipelines) answers UNAVAILABLE to every call, then
 * answers every call after the relay's deadline, then recovers. Marks that time out on the relay's side
 * may still be applied by the backend; nothing may be lost, dead-lettered for it, or sent twice.
 */
import { test } from "bun:test";
import { expectScenarioHeld } from "./support/expect.ts";
import { runScenario } from "./support/scenario.ts";
import { backendErrorsThenTimeouts } from "./support/scenarios.ts";

test(backendErrorsThenTimeouts.title, async () => {
  expectScenarioHeld(await runScenario(backendErrorsThenTimeouts));
}, 180_000);
