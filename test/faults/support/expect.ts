/** The assertions every fault scenario ends with, printing the counts whether they pass or not. */
import { expect } from "bun:test";
import type { ScenarioResult } from "./scenario.ts";
import { describeResult, violations } from "./verdict.ts";

export function expectScenarioHeld(result: ScenarioResult): void {
  const problems = violations(result);
  console.log(describeResult(result));
  if (problems.length > 0) {
    console.log(`relay warnings and errors (last 60):\n${result.relayWarnings.slice(-60).join("\n")}`);
  }
  const a = result.accounting;
  // Every row is SENT and in Kafka, or FAILED with a DLQ entry: none lost, none left PENDING.
  expect({ lost: a.lost, pending: a.pending, created: a.created >= 5_000, drained: result.drainTimeout ?? "yes" }).toEqual({
    lost: 0,
    pending: 0,
    created: true,
    drained: "yes",
  });
  expect(a.delivered + a.deadLettered).toBe(a.created);
  if (result.scenario.duplicates === "one batch") {
    // Only the batch whose acknowledgement was lost, or not yet recorded by a killed relay, may arrive twice.
    expect(a.duplicates).toBeLessThanOrEqual(a.batchRowBound);
  } else {
    expect(a.duplicates).toBe(0);
  }
  expect(problems).toEqual([]);
}
