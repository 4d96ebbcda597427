/**
 * The life of one pipeline: batches taken when the source is ready, cycles that never overlap, the
 * previous cycle's settles done before the next batch is taken, a growing backoff after failures,
 * the sink's breaker respected, and no new cycle once the stop signal fired (the cycle in flight
 * finishes on its own, its settles included).
 */
import type { Logger } from "../observability/logger.ts";
import { backoffDelay } from "./backoff.ts";
import type { CycleOutcome } from "./cycle.ts";
import { BreakerOpenError, DependencyError, describeError } from "./errors.ts";
import type { RelayMetrics } from "./metrics.ts";
import type { Source, SourceBatch } from "./ports.ts";
import { sleep as defaultSleep } from "./sleep.ts";

export interface LoopParams {
  readonly name: string;
  readonly source: Pick<Source, "ready" | "take" | "takesWhileSettling">;
  readonly cycle: (batch: SourceBatch, signal: AbortSignal) => Promise<CycleOutcome>;
  readonly failureBackoffMs: readonly number[];
  /** Epoch ms before which no batch may be taken (the sink's breaker); 0 when free. */
  readonly gate?: () => number;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Told how each cycle ended (for health). */
  readonly onOutcome?: (outcome: CycleOutcome) => void;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export async function runLoop(params: LoopParams): Promise<void> {
  const { signal, log, now = Date.now, random = Math.random, sleep = defaultSleep } = params;
  let failures = 0;
  // A failure that repeats every cycle (a topic that does not exist, a backend that hangs) is
  // logged when it begins or changes, not once per backoff step.
  let lastFailure: string | undefined;
  let settled: Promise<unknown> = Promise.resolve();
  const inFlight = new Set<Promise<unknown>>();
  while (!signal.aborted) {
    // The previous cycle's settles run during the wait; its events must be settled before the next
    // take, unless the source never hands unsettled events over again.
    if (!params.source.takesWhileSettling) await settled;
    const gatedUntil = params.gate?.() ?? 0;
    if (gatedUntil > now()) {
      await sleep(gatedUntil - now(), signal);
      continue;
    }
    await params.source.ready(signal);
    if (signal.aborted) break;
    const started = performance.now();
    let outcome: CycleOutcome;
    try {
      outcome = await params.cycle(await params.source.take(signal), signal);
    } catch (error) {
      outcome = { status: "failed", error };
    }
    settled = outcome.settled ?? Promise.resolve();
    const tracked = settled;
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
    params.metrics.cycle(params.name, (performance.now() - started) / 1000, outcome.status);
    if (!signal.aborted) params.onOutcome?.(outcome);
    // Failed takes, ledger lookups and deliveries end the cycle; settles and DLQ writes count their own.
    if (outcome.status === "failed" && outcome.error instanceof DependencyError) params.metrics.dependencyError(outcome.error.dependency);

    let wait = 0;
    if (outcome.status === "done") {
      if (failures > 0) log.info("pipeline recovered", { afterFailures: failures });
      failures = 0;
      lastFailure = undefined;
    } else if (outcome.error instanceof BreakerOpenError) {
      wait = Math.max(0, outcome.error.retryAt - now());
      log.warn(`cycle stopped: ${outcome.error.dependency} unavailable; nothing given up`, {
        retryInMs: wait,
        error: describeError(outcome.error.cause ?? outcome.error),
      });
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
  // A stop finishes the settles of the cycles in flight: nothing half-done for the next start.
  await Promise.all(inFlight);
}
