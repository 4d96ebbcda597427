/**
 * Every pipeline as a loop of cycles over its source and sink, run only while this instance owns
 * the pipeline's lease, all under one stop signal. The pipelines come in built; this file only
 * runs them, the same way whatever their kinds.
 */
import type { Logger } from "../observability/logger.ts";
import { runCycle } from "./cycle.ts";
import { type Fence, OPEN_FENCE } from "./fence.ts";
import type { GcPacer } from "./gc-pacing.ts";
import { runLoop } from "./loop.ts";
import type { RelayMetrics } from "./metrics.ts";
import { createOnce } from "./once.ts";
import { runWhileOwned } from "./ownership.ts";
import type { Pipeline } from "./pipeline.ts";
import type { DeadLetterStore, DeliveryLedger, LeaseStore } from "./ports.ts";
import type { Serial } from "./serial.ts";
import { createSerial } from "./serial.ts";

/** Told how things went, so that outages are logged once and health can say what fails. */
export interface RunReports {
  readonly cycles: { succeeded(pipeline: string): void; failed(pipeline: string, error: unknown): void };
  /** The lease store's outages. */
  readonly leaseStore: { failed(error: unknown): void; succeeded(): void };
}

export interface RunDependencies {
  readonly pipelines: readonly Pipeline[];
  readonly ledger: DeliveryLedger;
  readonly dlq: DeadLetterStore;
  readonly leases: LeaseStore;
  readonly leaseTtlMs: number;
  readonly instanceId: string;
  /** Waits after consecutive failed cycles, the last repeated. */
  readonly failureBackoffMs: readonly number[];
  /** Shared by every pipeline: collections paced by the events they all settle. */
  readonly gc: GcPacer;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  readonly reports: RunReports;
  /** Told whenever this instance starts or stops owning a pipeline. */
  readonly onOwnership: (pipeline: string, owned: boolean) => void;
}

/** Runs every pipeline until `signal` aborts and each has finished its cycle in flight. */
export async function runPipelines(deps: RunDependencies, signal: AbortSignal): Promise<void> {
  // One delivery-and-record at a time across pipelines: a SIGKILL can then catch at most one
  // delivery acknowledged but not yet recorded (sent again after the restart), not one per pipeline.
  const exclusive = createSerial();
  await Promise.all(
    deps.pipelines.map(async (pipeline) => {
      const log = deps.log.child({ pipeline: pipeline.name });
      if (pipeline.source.sharing === "shared") {
        // Every instance runs it; the source's claims divide the events and fence a slow instance.
        deps.onOwnership(pipeline.name, true);
        try {
          return await runPipeline(deps, pipeline, log, signal, OPEN_FENCE, exclusive);
        } finally {
          deps.onOwnership(pipeline.name, false);
        }
      }
      return runWhileOwned({
        name: pipeline.name,
        leases: deps.leases,
        ttlMs: deps.leaseTtlMs,
        instanceId: deps.instanceId,
        acquireEveryMs: Math.min(1000, Math.floor(deps.leaseTtlMs / 3)),
        signal,
        log,
        onOwnership: (owned) => deps.onOwnership(pipeline.name, owned),
        storeHealth: deps.reports.leaseStore,
        run: (ownedSignal, fence) => runPipeline(deps, pipeline, log, ownedSignal, fence, exclusive),
      });
    }),
  );
}

function runPipeline(deps: RunDependencies, pipeline: Pipeline, log: Logger, signal: AbortSignal, fence: Fence, exclusive: Serial): Promise<void> {
  const context = {
    pipeline,
    codec: pipeline.codec,
    sink: timed(pipeline, deps.metrics),
    ledger: deps.ledger,
    dlq: deps.dlq,
    log,
    metrics: deps.metrics,
    fence,
    once: createOnce(),
    now: () => new Date(),
    exclusive,
    maxAttempts: pipeline.maxAttempts,
    onSettled: pipeline.source.boundedBatches ? undefined : (events: number) => deps.gc.handled(events),
  };
  log.info("pipeline started", pipeline.description);
  return runLoop({
    name: pipeline.name,
    source: pipeline.source,
    cycle: (batch, cycleSignal) => runCycle(context, batch, cycleSignal),
    failureBackoffMs: deps.failureBackoffMs,
    gate: pipeline.sink.retryAt,
    signal,
    log,
    metrics: deps.metrics,
    onOutcome: (outcome) => {
      if (outcome.status === "done") deps.reports.cycles.succeeded(pipeline.name);
      else deps.reports.cycles.failed(pipeline.name, outcome.error);
      if (pipeline.source.boundedBatches && outcome.status === "done" && outcome.more) deps.gc.fullBatch();
    },
  }).finally(() => log.info("pipeline stopped"));
}

/** The pipeline's sink with each delivery's duration observed. */
function timed<M>(pipeline: Pipeline<M>, metrics: RelayMetrics): Pipeline<M>["sink"] {
  const { sink } = pipeline;
  return {
    ...sink,
    async deliver(messages, signal) {
      const started = performance.now();
      const outcomes = await sink.deliver(messages, signal);
      metrics.publish(pipeline.name, (performance.now() - started) / 1000);
      return outcomes;
    },
  };
}
