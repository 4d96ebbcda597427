/**
 * An outbox table as a source: rows claimed in batches (with a lease, so the rows of an instance
 * that died are claimed again once it lapses), settled one statement per batch, woken as soon as
 * rows are committed (the poll stays as the safety net and after a lost connection). Every
 * instance runs it: the claims divide the rows and keep each aggregate's rows in order.
 */
import { backoffDelay } from "../../engine/backoff.ts";
import type { Poller } from "../../engine/polling.ts";
import type { Settlement, SettleReport, Source, SourceBatch, SourceEvent } from "../../engine/ports.ts";
import type { Logger } from "../../observability/logger.ts";
import type { ClaimedRow, OutboxStore } from "./store.ts";

export interface SqlOutboxSourceOptions {
  readonly store: OutboxStore;
  /** This instance's name in claims (unique among the instances). */
  readonly owner: string;
  /** Rows per claim. */
  readonly batchSize: number;
  /** How long a claim holds its rows: an instance that dies hands them over this long after. */
  readonly leaseMs: number;
  readonly poller: Poller;
  /** Waits before a row whose delivery failed for its own reason is due again, by attempt, the last repeated. */
  readonly retryBackoffMs: readonly number[];
  readonly log: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

export function createSqlOutboxSource(options: SqlOutboxSourceOptions): Source {
  const { store, owner, log, now = Date.now, random = Math.random } = options;
  let unwatch: Promise<() => Promise<void>> | undefined;

  // Watching starts with the first wait, and again after it failed (the database was away).
  const watch = () => {
    unwatch ??= store
      .watch(() => options.poller.wake())
      .catch((error: unknown) => {
        log.warn("cannot watch the outbox for commits; polling only until it can", { error });
        unwatch = undefined;
        return async () => {};
      });
  };

  const settle = async (settlement: Settlement): Promise<SettleReport> => {
    const failed: { id: string; error: unknown }[] = [];
    const apply = async (ids: readonly string[], change: () => Promise<void>) => {
      if (ids.length === 0) return;
      try {
        await change();
      } catch (error) {
        for (const id of ids) failed.push({ id, error });
      }
    };
    const delivered = (settlement.delivered ?? []).map((event) => event.id);
    const rejected = (settlement.rejected ?? []).map(({ event, reason }) => ({ id: event.id, reason }));
    const retried = (settlement.retried ?? []).map(({ event, reason }) => ({
      id: event.id,
      reason,
      availableAt: now() + backoffDelay(options.retryBackoffMs, (event.attempts ?? 0) + 1, random()),
    }));
    const released = (settlement.released ?? []).map((event) => event.id);
    await Promise.all([
      apply(delivered, () => store.delivered(delivered, owner)),
      apply(
        rejected.map((row) => row.id),
        () => store.rejected(rejected, owner),
      ),
      apply(
        retried.map((row) => row.id),
        () => store.retried(retried, owner),
      ),
      apply(released, () => store.released(released, owner)),
    ]);
    return { failed };
  };

  return {
    sharing: "shared",
    takesWhileSettling: true,
    ready(signal) {
      watch();
      return options.poller.ready(signal);
    },
    async take() {
      const poll = options.poller.polling();
      const rows = await store.claim(options.batchSize, owner, options.leaseMs);
      poll.done(rows.length >= options.batchSize);
      return batchOf(rows.map(rowEvent), settle);
    },
    async redelivered(ids) {
      return (await store.redelivered(ids)) > 0 ? "done" : "gone";
    },
    async close() {
      const stop = await unwatch;
      await stop?.();
      await store.close();
    },
  };
}

function batchOf(events: readonly SourceEvent[], settle: SourceBatch["settle"]): SourceBatch {
  return {
    count: events.length,
    more: false,
    settle,
    *slices(size) {
      for (let start = 0; start < events.length; start += size) yield events.slice(start, start + size);
    },
  };
}

/**
 * A claimed row as the engine's event: its aggregate is its ordering key; its payload and headers
 * parsed for the mapping's templates, the payload also kept as written for the record's value.
 */
export function rowEvent(row: ClaimedRow): SourceEvent {
  const payload = parseJson(row.payload);
  const headers = parseJson(row.headers);
  const unreadable =
    payload instanceof Error
      ? `payload is not valid JSON (${payload.message})`
      : headers instanceof Error || (headers !== null && (typeof headers !== "object" || Array.isArray(headers)))
        ? "headers is not a JSON object"
        : undefined;
  return {
    id: row.id,
    type: row.type,
    orderingKey: `${row.aggregatetype}\u0000${row.aggregateid}`,
    record: {
      id: row.id,
      aggregatetype: row.aggregatetype,
      aggregateid: row.aggregateid,
      type: row.type,
      payload: payload instanceof Error ? row.payload : payload,
      headers: headers instanceof Error ? row.headers : headers,
      tracingspancontext: row.tracingspancontext,
    },
    ...(row.payload !== null && { payloadText: row.payload }),
    unreadable,
    createdAt: row.createdAt,
    attempts: row.attempts,
  };
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    return error as Error;
  }
}
