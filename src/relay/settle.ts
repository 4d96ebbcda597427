/**
 * The end of a row's trip: mark SENT (bounded concurrency, alongside the next send), or DLQ first
 * and only then mark FAILED. A mark that fails leaves the row PENDING for the next cycle, where
 * its recorded delivery makes it a mark-only row; a DLQ write that fails leaves it PENDING too.
 */
import { BackendCallError, describeError, MappingError, RelayError } from "../errors.ts";
import type { OutboxRow } from "../grpc/wire-types.ts";
import type { PipelineContext } from "./context.ts";
import type { Rejection } from "./records.ts";
import { createTaskPool } from "./task-pool.ts";

const SETTLED_CODES = new Set(["NOT_FOUND", "FAILED_PRECONDITION"]);

/**
 * A mark answered NOT_FOUND (space: no such row, cleaned up) or FAILED_PRECONDITION (angel: the row
 * is already final) has nothing left to do; the cycle and a DLQ replay both count it as settled.
 */
export function markFoundNothing(error: unknown): error is BackendCallError {
  return error instanceof BackendCallError && SETTLED_CODES.has(error.code);
}

export interface Settler {
  /** Queues MarkSent for rows already delivered. */
  markSent(rows: readonly OutboxRow<unknown>[]): void;
  /** DLQ, then MarkFailed; resolves when both are done or one gave up. */
  deadLetter(rejection: Rejection, topic?: string): Promise<void>;
  /** Resolves once at most `limit` marks are queued or in flight. */
  waitForMarks(limit: number): Promise<void>;
  /** Waits for every queued mark; reports how many marks failed. */
  drain(): Promise<{ markFailures: number }>;
}

export function createSettler(context: PipelineContext): Settler {
  const { pipeline, source, dlq, log, metrics } = context;
  const pool = createTaskPool(context.markConcurrency);
  let markFailures = 0;
  let firstMarkError: unknown;
  let fencedOff = 0;

  const markOne = async (eventId: string) => {
    // A row fetched under a lease this instance no longer holds is the new owner's to mark.
    if (!context.fence.isValid()) {
      fencedOff++;
      return;
    }
    try {
      await source.markSent(eventId);
      metrics.rows("marked_sent", pipeline.name, 1);
    } catch (error) {
      if (markFoundNothing(error)) {
        log.warn("mark SENT found nothing to mark; the row is gone or already final", { eventId, code: error.code });
        return;
      }
      metrics.dependencyError("grpc");
      markFailures++;
      firstMarkError ??= error;
    }
  };

  return {
    markSent(rows) {
      // Only the eventId waits in the queue: the rows of a large Find are let go slice by slice.
      for (const { eventId } of rows) pool.add(() => markOne(eventId));
    },
    async deadLetter(rejection, topic) {
      const { row } = rejection;
      const reason = describeError(rejection.error);
      try {
        await dlq.put({
          pipeline: pipeline.name,
          prefix: pipeline.dlqPrefix,
          eventId: row.eventId,
          eventType: row.eventType,
          value: rejection.value,
          reason,
          topic,
          recordKey: rejection.recordKey,
          replayable: !(rejection.error instanceof MappingError),
          failedAt: context.now(),
        });
      } catch (error) {
        metrics.dependencyError("redis");
        log.error("DLQ write failed; the row stays PENDING and is tried again next cycle", {
          eventId: row.eventId,
          reason,
          error,
        });
        return;
      }
      metrics.rows("dead_lettered", pipeline.name, 1);
      log.warn("event sent to the DLQ", { eventId: row.eventId, reason });
      if (!context.fence.isValid()) return;
      try {
        await source.markFailed(row.eventId, reason);
        metrics.rows("marked_failed", pipeline.name, 1);
      } catch (error) {
        metrics.dependencyError("grpc");
        log.warn("mark FAILED failed; the DLQ entry is kept and the row is tried again next cycle", {
          eventId: row.eventId,
          error,
        });
      }
    },
    waitForMarks: (limit) => pool.waitBelow(limit),
    async drain() {
      await pool.drain();
      if (fencedOff > 0) log.warn("lease lost: left marks to the new owner", { rows: fencedOff });
      if (markFailures > 0) {
        log.warn("some marks failed; those rows stay PENDING and are only marked next cycle", {
          failed: markFailures,
          error: firstMarkError instanceof RelayError ? firstMarkError.message : describeError(firstMarkError),
        });
      }
      return { markFailures };
    },
  };
}
