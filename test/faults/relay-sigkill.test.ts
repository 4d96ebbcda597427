/**
 * Fault suite: the relay is SIGKILLed in the middle of a cycle (right after a backend received a mark,
 * while the next batch goes out) and started again; the new process waits out the dead one's leases.
 * Only the batch Kafka acknowledged and the dead process had not yet recorded may arrive twice.
 */
import { test } from "bun:test";
import { expectScenarioHeld } from "./support/expect.ts";
import { runScenario } from "./support/scenario.ts";
import { relaySigkill } from "./support/scenarios.ts";

test(relaySigkill.title, async () => {
  expectScenarioHeld(await runScenario(relaySigkill));
}, 180_000);
