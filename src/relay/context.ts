/** What one pipeline's cycle works with: its row of the table and its adapters. */
import type { RelayMetrics } from "../observability/metrics.ts";
import type { Logger } from "../observability/logger.ts";
import type { Pipeline } from "../pipelines/pipeline.ts";
import type { Fence } from "./fence.ts";
import type { Once } from "./once.ts";
import type { DeadLetterStore, DeliveryLedger, OutboxSource } from "./ports.ts";

export interface PipelineContext<P extends Pipeline = Pipeline> {
  readonly pipeline: P;
  readonly source: OutboxSource;
  readonly ledger: DeliveryLedger;
  readonly dlq: DeadLetterStore;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  readonly markConcurrency: number;
  readonly now: () => Date;
  /** Whether this instance still owns the pipeline; checked before sends and marks. */
  readonly fence: Fence;
  /** Reports a recurring problem once for the pipeline's life, not once per cycle. */
  readonly once: Once;
}

/**
 * How a cycle ended; the poll loop decides the wait from it. `marks` settles when the cycle's
 * marks have: a cycle ends once its events are published, and the poll loop waits for its marks
 * before the next Find (and before stopping), so the poll interval runs while they finish.
 */
export type CycleOutcome =
  | { readonly status: "done"; readonly fetched: number; readonly more: boolean; readonly marks?: Promise<unknown> }
  | { readonly status: "failed"; readonly error: unknown; readonly marks?: Promise<unknown> };
