/**
 * Every enabled pipeline as a poll loop over its kind of cycle, run only while this instance owns
 * the pipeline's lease, all under one stop signal. The adapters come in ready-made; this file
 * only wires rows of the pipeline table to them.
 */
import type { Config } from "../config/config.ts";
import type { Dependency } from "../errors.ts";
import type { BackendChannels } from "../grpc/channels.ts";
import { createOutboxSource } from "../grpc/outbox-source.ts";
import type { Logger } from "../observability/logger.ts";
import type { RelayMetrics } from "../observability/metrics.ts";
import type { Outages } from "../observability/outages.ts";
import type { Pipeline } from "../pipelines/pipeline.ts";
import type { KafkaBreaker } from "./breaker.ts";
import type { CycleOutcome, PipelineContext } from "./context.ts";
import type { Fence } from "./fence.ts";
import { type GcPacer, pacedSource } from "./gc-pacing.ts";
import { runKafkaCycle } from "./kafka-cycle.ts";
import { runLawCycle } from "./law-cycle.ts";
import { runWhileOwned } from "./ownership.ts";
import { createOnce } from "./once.ts";
import { runPollLoop } from "./poll-loop.ts";
import { createSerial, type Serial } from "./serial.ts";
import type { DeadLetterStore, DeliveryLedger, EventSink, LeaseStore, StudyMaterialService } from "./ports.ts";

export interface RelayDependencies {
  readonly config: Config;
  readonly pipelines: readonly Pipeline[];
  readonly channels: BackendChannels;
  /** The shared Kafka sink, behind the breaker. */
  readonly sink: KafkaBreaker;
  readonly ledger: DeliveryLedger;
  readonly dlq: DeadLetterStore;
  readonly leases: LeaseStore;
  readonly studyMaterial: StudyMaterialService;
  /** Shared by every pipeline: collections paced by the rows they all handle. */
  readonly gc: GcPacer;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Told how each cycle ended, for /health. */
  readonly cycles: { succeeded(pipeline: string): void; failed(pipeline: string, error: unknown): void };
  /** Where unreachable dependencies are reported (logged once per outage, counted). */
  readonly outages: Outages<Dependency>;
  /** Told whenever this instance starts or stops owning a pipeline. */
  readonly onOwnership: (pipeline: Pipeline["name"], owned: boolean) => void;
}

/** Runs every pipeline until `signal` aborts and each has finished its cycle in flight. */
export async function runRelay(deps: RelayDependencies, signal: AbortSignal): Promise<void> {
  // One send-and-record at a time across pipelines: a SIGKILL can then catch at most one batch
  // acknowledged by Kafka but not yet recorded (sent again after the restart), not one per pipeline.
  const deliveries = createSerial();
  await Promise.all(
    deps.pipelines.map((pipeline) => {
      const log = deps.log.child({ pipeline: pipeline.name });
      return runWhileOwned({
        name: pipeline.name,
        leases: deps.leases,
        ttlMs: deps.config.relay.leaseTtlMs,
        instanceId: deps.config.relay.instanceId,
        acquireEveryMs: Math.min(1000, Math.floor(deps.config.relay.leaseTtlMs / 3)),
        signal,
        log,
        onOwnership: (owned) => deps.onOwnership(pipeline.name, owned),
        storeHealth: { failed: (error) => deps.outages.failed("redis", error), succeeded: () => deps.outages.succeeded("redis") },
        run: (ownedSignal, fence) => runPipeline(deps, pipeline, log, ownedSignal, fence, deliveries),
      });
    }),
  );
}

function runPipeline(deps: RelayDependencies, pipeline: Pipeline, log: Logger, signal: AbortSignal, fence: Fence, deliveries: Serial): Promise<void> {
  const { config } = deps;
  const context: PipelineContext = {
    pipeline,
    source: pacedSource(
      createOutboxSource({
        channels: deps.channels,
        find: pipeline.find,
        mark: pipeline.mark,
        findTimeoutMs: config.grpc.findTimeoutMs,
        callTimeoutMs: config.grpc.callTimeoutMs,
      }),
      deps.gc,
    ),
    ledger: deps.ledger,
    dlq: deps.dlq,
    log,
    metrics: deps.metrics,
    markConcurrency: config.relay.markConcurrency,
    now: () => new Date(),
    fence,
    once: createOnce(),
  };
  let cycle: (signal: AbortSignal) => Promise<CycleOutcome>;
  let gate: (() => number) | undefined;
  if (pipeline.kind === "law") {
    const lawContext = {
      ...context,
      pipeline,
      studyMaterial: deps.studyMaterial,
      generateAttempts: config.relay.lawAttempts,
      generateBackoffMs: config.relay.lawBackoffMs,
    };
    cycle = (cycleSignal) => runLawCycle(lawContext, cycleSignal);
  } else {
    const kafkaContext = {
      ...context,
      pipeline,
      sink: timed(deps.sink, (seconds) => deps.metrics.publish(pipeline.name, seconds)),
      topic: config.kafka.topics[pipeline.topic],
      maxMessageBytes: config.kafka.maxMessageBytes,
      nowNanos: () => BigInt(Date.now()) * 1_000_000n,
      deliveries,
    };
    cycle = (cycleSignal) => runKafkaCycle(kafkaContext, cycleSignal);
    gate = deps.sink.retryAt;
  }
  log.info("pipeline started", { kind: pipeline.kind, eventTypes: pipeline.find.eventTypes });
  return runPollLoop({
    name: pipeline.name,
    cycle: async (cycleSignal) => {
      const outcome = await cycle(cycleSignal).catch((error: unknown): CycleOutcome => ({ status: "failed", error }));
      if (outcome.status === "done") deps.cycles.succeeded(pipeline.name);
      else if (!cycleSignal.aborted) deps.cycles.failed(pipeline.name, outcome.error);
      return outcome;
    },
    gate,
    pollIntervalMs: config.relay.pollIntervalMs,
    failureBackoffMs: config.relay.findBackoffMs,
    signal,
    log,
    metrics: deps.metrics,
  }).finally(() => log.info("pipeline stopped"));
}

function timed(sink: EventSink, observe: (seconds: number) => void): EventSink {
  return {
    async send(topic, records) {
      const started = performance.now();
      const outcomes = await sink.send(topic, records);
      observe((performance.now() - started) / 1000);
      return outcomes;
    },
  };
}
