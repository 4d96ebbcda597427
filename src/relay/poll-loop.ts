/**
 * The life of one pipeline: cycles that never overlap, a Find every poll interval (counted from
 * the start of the previous cycle, so that a row waits at most one interval for its Find however
 * long the cycles take; a cycle longer than the interval is followed at once), at once when a Find
 * returned a full page, a growing backoff after failures, and no new cycle once the stop signal
 * fired (the cycle in flight finishes on its own).
 */
import { DependencyError, describeError, KafkaUnavailableError } from "../errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { RelayMetrics } from "../observability/metrics.ts";
import { backoffDelay } from "./backoff.ts";
import type { CycleOutcome } from "./context.ts";
import { sleep as defaultSleep } from "./sleep.ts";

export interface PollLoopParams {
  readonly name: string;
  readonly cycle: (signal: AbortSignal) => Promise<CycleOutcome>;
  readonly pollIntervalMs: number;
  readonly failureBackoffMs: readonly number[];
  /** Epoch ms before which no cycle may start (the Kafka breaker); 0 when free. */
  readonly gate?: () => number;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export async function runPollLoop(params: PollLoopParams): Promise<void> {
  const { signal, log, now = Date.now, random = Math.random, sleep = defaultSleep } = params;
  let failures = 0;
  // A failure that repeats every cycle (a topic that does not exist, a backend that hangs) is
  // logged when it begins or changes, not once per backoff step.
  let lastFailure: string | undefined;
  let marks: Promise<unknown> = Promise.resolve();
  while (!signal.aborted) {
    // The previous cycle's marks run during the wait; its rows must be settled before the next Find.
    await marks;
    const gatedUntil = params.gate?.() ?? 0;
    if (gatedUntil > now()) {
      await sleep(gatedUntil - now(), signal);
      continue;
    }
    const startedAt = now();
    const started = performance.now();
    let outcome: CycleOutcome;
    try {
      outcome = await params.cycle(signal);
    } catch (error) {
      outcome = { status: "failed", error };
    }
    marks = outcome.marks ?? Promise.resolve();
    const seconds = (performance.now() - started) / 1000;
    params.metrics.cycle(params.name, seconds, outcome.status);
    // Failed Finds, ledger lookups and Kafka sends end the cycle; marks and DLQ writes count their own.
    if (outcome.status === "failed" && outcome.error instanceof DependencyError) params.metrics.dependencyError(outcome.error.dependency);

    let wait: number;
    if (outcome.status === "done") {
      if (failures > 0) log.info("pipeline recovered", { afterFailures: failures });
      failures = 0;
      lastFailure = undefined;
      wait = outcome.more ? 0 : untilNextFind(params.pollIntervalMs, now() - startedAt);
    } else if (outcome.error instanceof KafkaUnavailableError) {
      wait = Math.max(0, outcome.error.retryAt - now());
      log.warn("cycle stopped: kafka unavailable; nothing marked FAILED", { retryInMs: wait, error: describeError(outcome.error.cause ?? outcome.error) });
    } else {
      failures++;
      wait = backoffDelay(params.failureBackoffMs, failures, random());
      const error = describeError(outcome.error);
      const fields = { failures, retryInMs: wait, error };
      if (error === lastFailure) log.debug("cycle failed again", fields);
      else log.warn("cycle failed", fields);
      lastFailure = error;
    }
    await sleep(wait, signal);
  }
  // A stop finishes the marks of the cycle in flight: nothing half-done for the next start.
  await marks;
}

/** What is left of the interval after a cycle that took `elapsedMs` (never more than the interval: the clock may step back). */
function untilNextFind(intervalMs: number, elapsedMs: number): number {
  return Math.min(intervalMs, Math.max(0, intervalMs - elapsedMs));
}
