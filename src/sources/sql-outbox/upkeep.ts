/**
 * What an outbox table needs beside its claims, while the relay runs: processed rows deleted once
 * older than the retention, a batch at a time (no statement holds its locks for long; failed rows
 * stay until an operator acts), and the backlog measured for the metrics.
 */
import { describeError } from "../../engine/errors.ts";
import { sleep } from "../../engine/sleep.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Backlog, OutboxStore } from "./store.ts";

/** Rows one retention statement deletes at most. */
export const RETENTION_BATCH = 1_000;

export interface OutboxReport {
  backlog(pipeline: string, backlog: readonly Backlog[]): void;
  deleted(pipeline: string, rows: number): void;
}

export async function runUpkeep(params: {
  store: OutboxStore;
  pipeline: string;
  /** Processed rows are kept this long, in ms. */
  retentionMs: number;
  /** How often the retention runs and the backlog is measured, in ms. */
  everyMs: number;
  report: OutboxReport;
  log: Logger;
  signal: AbortSignal;
  now?: () => number;
}): Promise<void> {
  const { store, pipeline, report, log, signal, now = Date.now } = params;
  let failing = false;
  while (!signal.aborted) {
    try {
      report.backlog(pipeline, await store.backlog());
      const before = now() - params.retentionMs;
      for (;;) {
        const deleted = await store.deleteProcessed(before, RETENTION_BATCH);
        if (deleted > 0) report.deleted(pipeline, deleted);
        if (deleted < RETENTION_BATCH || signal.aborted) break;
        // A pause between batches lets the application's writes through.
        await sleep(50, signal);
      }
      if (failing) log.info("outbox upkeep works again", { pipeline });
      failing = false;
    } catch (error) {
      if (!failing) log.warn("outbox upkeep failed (retention, backlog metrics); it tries again", { pipeline, error: describeError(error) });
      failing = true;
    }
    await sleep(params.everyMs, signal);
  }
}
