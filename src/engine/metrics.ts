/**
 * What the engine reports, in the operator's words; src/observability/metrics.ts implements it on
 * Prometheus. A port, so that the engine knows no metrics library.
 */

/** What happened to events, per pipeline (replayed: a DLQ entry retried through the API and removed). */
export const ROW_EVENTS = ["fetched", "published", "deferred", "marked_sent", "marked_failed", "dead_lettered", "replayed"] as const;
export type RowEvent = (typeof ROW_EVENTS)[number];

export interface RelayMetrics {
  rows(event: RowEvent, pipeline: string, count: number): void;
  cycle(pipeline: string, seconds: number, outcome: string): void;
  /** One delivery, from handing it to the sink to its acknowledgement. */
  publish(pipeline: string, seconds: number): void;
  /** Age of the oldest event of the last batch (0 when it had none). */
  oldestRowAge(pipeline: string, seconds: number): void;
  /** Whether this instance owns (runs) the pipeline right now. */
  pipelineOwned(pipeline: string, owned: boolean): void;
  dependencyError(dependency: string): void;
}
