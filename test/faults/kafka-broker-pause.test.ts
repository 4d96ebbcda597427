/**
 * Fault suite: the Kafka broker (a private one) is paused with SIGSTOP for longer than the relay's
 * write timeout, then resumed: the requests it queued while paused are answered late, so the batch in
 * flight is written although the relay gave up on it. The relay must then neither lose rows nor stall:
 * at most that one batch may arrive twice.
 */
import { test } from "bun:test";
import { expectScenarioHeld } from "./support/expect.ts";
import { runScenario } from "./support/scenario.ts";
import { kafkaBrokerPause } from "./support/scenarios.ts";

test(kafkaBrokerPause.title, async () => {
  expectScenarioHeld(await runScenario(kafkaBrokerPause));
}, 180_000);
