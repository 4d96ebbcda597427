/**
 * Fault suite: the Kafka broker (a private one) is SIGKILLed in the middle of a 7,500-row stream and
 * restarted on the same port with the same data. Nothing may be lost or dead-lettered because Kafka
 * was away; only a batch the broker wrote but could not acknowledge may arrive twice.
 */
import { test } from "bun:test";
import { expectScenarioHeld } from "./support/expect.ts";
import { runScenario } from "./support/scenario.ts";
import { kafkaBrokerKill } from "./support/scenarios.ts";

test(kafkaBrokerKill.title, async () => {
  expectScenarioHeld(await runScenario(kafkaBrokerKill));
}, 180_000);
