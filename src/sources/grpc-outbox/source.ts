/**
 * A backend's outbox over gRPC as a source: every poll interval one Find per event type, the
 * responses kept as the bytes received and decoded a slice at a time; settled row by row, one
 * mark call each (the contract has no batch mark), with a bounded number in flight.
 */
import type { Poller } from "../../engine/polling.ts";
import type { Settlement, SettleReport, Source, SourceBatch, SourceEvent } from "../../engine/ports.ts";
import { createTaskPool } from "../../engine/task-pool.ts";
import { BackendCallError } from "../../grpc/status.ts";
import type { OutboxRow } from "../../hobom/wire-types.ts";
import type { Logger } from "../../observability/logger.ts";
import { isUndecodable, type PendingRows } from "./find-decoder.ts";
import type { OutboxClient } from "./outbox-client.ts";
import type { FindSpec } from "./spec.ts";

const SETTLED_CODES = new Set(["NOT_FOUND", "FAILED_PRECONDITION"]);

/**
 * A mark answered NOT_FOUND (space: no such row, cleaned up) or FAILED_PRECONDITION (angel: the row
 * is already final) has nothing left to do: the row counts as settled.
 */
export function markFoundNothing(error: unknown): error is BackendCallError {
  return error instanceof BackendCallError && SETTLED_CODES.has(error.code);
}

export function createGrpcOutboxSource(params: {
  client: OutboxClient;
  find: FindSpec;
  poller: Poller;
  /** Marks in flight at once. */
  markConcurrency: number;
  log: Logger;
}): Source {
  const { client, find, log } = params;
  const marks = createTaskPool(params.markConcurrency);

  /** One mark; resolves with its error when it failed (a row that was found to be gone counts as settled). */
  const mark = (eventId: string, call: () => Promise<void>, what: string): Promise<unknown> =>
    new Promise((resolve) => {
      marks.add(async () => {
        try {
          await call();
          resolve(undefined);
        } catch (error) {
          if (markFoundNothing(error)) {
            log.warn(`mark ${what} found nothing to mark; the row is gone or already final`, { eventId, code: error.code });
            resolve(undefined);
          } else resolve(error);
        }
      });
    });

  const settle = async (settlement: Settlement): Promise<SettleReport> => {
    // Only the eventId waits in the queue: the rows of a large Find are let go slice by slice.
    const calls = [
      ...(settlement.delivered ?? []).map(({ id }) => [id, mark(id, () => client.markSent(id), "SENT")] as const),
      ...(settlement.rejected ?? []).map(({ event, reason }) => [event.id, mark(event.id, () => client.markFailed(event.id, reason), "FAILED")] as const),
    ];
    // Retried and released rows stay PENDING: the backend hands them over again on a later Find.
    const failed: { id: string; error: unknown }[] = [];
    for (const [id, done] of calls) {
      const error = await done;
      if (error !== undefined) failed.push({ id, error });
    }
    return { failed };
  };

  return {
    ready: (signal) => params.poller.ready(signal),
    async take(signal) {
      const poll = params.poller.polling();
      const pages: PendingRows[] = [];
      let count = 0;
      let more = false;
      for (const eventType of find.eventTypes) {
        const page = await client.findPending(eventType, signal);
        if (find.pageLimit !== undefined && page.count >= find.pageLimit) more = true;
        pages.push(page);
        count += page.count;
      }
      poll.done(more);
      return batchOf(pages, count, more, settle);
    },
    async redelivered(ids) {
      let gone = false;
      for (const id of ids) {
        try {
          await client.markSent(id);
        } catch (error) {
          if (!markFoundNothing(error)) throw error;
          gone = true;
        }
      }
      return gone ? "gone" : "done";
    },
    close: async () => {},
  };
}

function batchOf(pages: readonly PendingRows[], count: number, more: boolean, settle: SourceBatch["settle"]): SourceBatch {
  return {
    count,
    more,
    settle,
    *slices(size) {
      let slice: SourceEvent[] = [];
      for (const page of pages) {
        for (let start = 0; start < page.count; ) {
          const end = Math.min(page.count, start + size - slice.length);
          for (const row of page.decode(start, end)) slice.push(rowEvent(row));
          start = end;
          if (slice.length >= size) {
            yield slice;
            slice = [];
          }
        }
      }
      if (slice.length > 0) yield slice;
    },
  };
}

/** A decoded outbox row as the engine's event. */
export function rowEvent(row: OutboxRow<unknown>): SourceEvent {
  return {
    id: row.eventId,
    type: row.eventType,
    record: row as unknown as Record<string, unknown>,
    unreadable: isUndecodable(row) ? row.decodeError : undefined,
    // Backends write dates as ISO 8601 or as JS `Date.toString()` text; both parse.
    createdAt: Date.parse(row.createdAt),
  };
}
