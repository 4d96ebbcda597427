/**
 * The relay's Prometheus metrics, on a registry of their own (no global default registry), so
 * that two relays in one test process never share counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { type RelayMetrics, ROW_EVENTS } from "../engine/metrics.ts";

/** The dependencies every instance may report on, whose error series exist from the start. */
const DEPENDENCIES: readonly string[] = ["grpc", "kafka", "redis"];

export interface PrometheusMetrics extends RelayMetrics {
  readonly registry: Registry;
  /** Whether a sink's breaker is open (Kafka unreachable). */
  breakerOpen(open: boolean): void;
  /** DLQ entries per prefix, set from the DLQ index before a scrape (src/edge/http/dlq-metrics.ts). */
  readonly dlqEntries: Gauge<"prefix">;
  /** Age of the oldest last failure per prefix, in seconds (0 when empty), set likewise. */
  readonly dlqOldestAge: Gauge<"prefix">;
  /** Entries per prefix that Redis drops within 24 h, set likewise. */
  readonly dlqExpiringSoon: Gauge<"prefix">;
  /** Bulk replay jobs this instance is running. */
  readonly replayJobsRunning: Gauge;
  /** Partitions per topic whose leader the relay cannot reach, set before a scrape. */
  readonly unavailablePartitions: Gauge<"topic">;
}

/**
 * Metrics on a fresh registry; `withProcessMetrics` adds CPU, memory and event-loop lag. Every
 * labelled series of the given pipelines and DLQ prefixes exists from the start, at 0: an alert on
 * a series that appears only after the first event (or never, when Redis is down from the start)
 * cannot fire.
 */
export function createMetrics(
  options: { withProcessMetrics?: boolean; pipelines?: readonly string[]; dlqPrefixes?: readonly string[] } = {},
): PrometheusMetrics {
  const registry = new Registry();
  // The event-loop delay monitor samples every 10 ms by default, which on Bun alone costs 0.7 % of
  // a core when idle; 250 ms still shows a stalled loop and costs 0.1 %.
  if (options.withProcessMetrics) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 250 });
  const rows = new Counter({
    name: "hobom_rows_total",
    help: "Outbox rows by pipeline and what happened to them (fetched, published, deferred: left PENDING because their partition's leader was unreachable, marked_sent, marked_failed, dead_lettered, replayed: a DLQ entry retried through the API).",
    labelNames: ["pipeline", "event"] as const,
    registers: [registry],
  });
  const cycles = new Histogram({
    name: "hobom_cycle_duration_seconds",
    help: "Duration of one poll cycle, by pipeline and outcome.",
    labelNames: ["pipeline", "outcome"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const publishes = new Histogram({
    name: "hobom_publish_duration_seconds",
    help: "Time from a Kafka send to its acknowledgement, by pipeline.",
    labelNames: ["pipeline"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const lag = new Gauge({
    name: "hobom_oldest_pending_row_age_seconds",
    help: "Age of the oldest PENDING row seen by the last Find, by pipeline (0 when none).",
    labelNames: ["pipeline"] as const,
    registers: [registry],
  });
  const breaker = new Gauge({
    name: "hobom_kafka_breaker_open",
    help: "1 while the Kafka breaker is open (Kafka unreachable), else 0.",
    registers: [registry],
  });
  const owned = new Gauge({
    name: "hobom_pipeline_owned",
    help: "1 while this instance owns the pipeline's lease and runs it, 0 while it stands by.",
    labelNames: ["pipeline"] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: "hobom_dependency_errors_total",
    help: "Errors by dependency (grpc, kafka, redis).",
    labelNames: ["dependency"] as const,
    registers: [registry],
  });
  const dlqEntries = new Gauge({
    name: "hobom_dlq_entries",
    help: "DLQ entries in Redis by prefix (from the DLQ index).",
    labelNames: ["prefix"] as const,
    registers: [registry],
  });
  const dlqOldestAge = new Gauge({
    name: "hobom_dlq_oldest_entry_age_seconds",
    help: "Seconds since the last failure of the oldest DLQ entry, by prefix (0 when empty).",
    labelNames: ["prefix"] as const,
    registers: [registry],
  });
  const dlqExpiringSoon = new Gauge({
    name: "hobom_dlq_entries_expiring_soon",
    help: "DLQ entries by prefix that Redis drops within 24 hours (replay or keep them before then).",
    labelNames: ["prefix"] as const,
    registers: [registry],
  });
  const replayJobsRunning = new Gauge({
    name: "hobom_dlq_replay_jobs_running",
    help: "Bulk DLQ replay jobs this instance is running.",
    registers: [registry],
  });
  const unavailablePartitions = new Gauge({
    name: "hobom_kafka_partitions_unavailable",
    help: "Partitions of a topic whose leader the relay cannot reach right now (their rows wait; the other partitions keep flowing).",
    labelNames: ["topic"] as const,
    registers: [registry],
  });
  breaker.set(0);
  replayJobsRunning.set(0);
  for (const pipeline of options.pipelines ?? []) {
    for (const event of ROW_EVENTS) rows.inc({ pipeline, event }, 0);
    lag.set({ pipeline }, 0);
    owned.set({ pipeline }, 0);
  }
  for (const dependency of DEPENDENCIES) errors.inc({ dependency }, 0);
  for (const prefix of options.dlqPrefixes ?? []) for (const gauge of [dlqEntries, dlqOldestAge, dlqExpiringSoon]) gauge.set({ prefix }, 0);
  return {
    registry,
    dlqEntries,
    dlqOldestAge,
    dlqExpiringSoon,
    replayJobsRunning,
    unavailablePartitions,
    rows: (event, pipeline, count) => {
      if (count > 0) rows.inc({ pipeline, event }, count);
    },
    cycle: (pipeline, seconds, outcome) => cycles.observe({ pipeline, outcome }, seconds),
    publish: (pipeline, seconds) => publishes.observe({ pipeline }, seconds),
    oldestRowAge: (pipeline, seconds) => lag.set({ pipeline }, seconds),
    breakerOpen: (open) => breaker.set(open ? 1 : 0),
    pipelineOwned: (pipeline, isOwned) => owned.set({ pipeline }, isOwned ? 1 : 0),
    dependencyError: (dependency) => errors.inc({ dependency }),
  };
}
