/**
 * An outbox table as a source: rows claimed in batches (with a lease, so the rows of an instance
 * that died are claimed again once it lapses), settled one statement per batch, woken as soon as
 * rows are committed (the poll stays as the safety net and after a lost connection). Every
 * instance runs it: the claims divide the rows and keep each aggregate's rows in order.
 *
 * Order within one instance: a claim may take later rows of an aggregate whose earlier row is in
 * this instance's own claim (so that batches follow each other without waiting for the previous
 * one's marks). That is safe because the engine delivers one batch after the other, and because
 * this source hands over no row whose aggregate still has an earlier row of this instance's that
 * was not settled delivered or given up (retried or released after the claim began, or left
 * unsettled by a failed cycle until a lease after its claim lapsed): such rows are released at
 * once and come again after the earlier one (the bookkeeping: aggregate-holds.ts).
 */
import { backoffDelay } from "../../engine/backoff.ts";
import type { Poller } from "../../engine/polling.ts";
import type { Settlement, SettleReport, Source, SourceBatch, SourceEvent } from "../../engine/ports.ts";
import type { Logger } from "../../observability/logger.ts";
import { type ClaimTicket, createAggregateHolds } from "./aggregate-holds.ts";
import { orderingKeyOf, rowEvent } from "./row-event.ts";
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
  const holds = createAggregateHolds(options.leaseMs);

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
    // Delivered or given up: nothing later of their aggregates waits for them any more (a failed
    // mark leaves a row claimed, and a later claim finds it delivered in the ledger).
    holds.settled(delivered);
    holds.settled(rejected.map((row) => row.id));
    // Retried or released: they hold their aggregates from the claims begun before the database
    // has them pending again; the claims after it order them first themselves.
    const reopen = (ids: readonly string[], change: () => Promise<void>) =>
      apply(ids, async () => {
        await change();
        holds.pendingAgain(ids);
      });
    const retriedIds = retried.map((row) => row.id);
    await Promise.all([
      apply(delivered, () => store.delivered(delivered, owner)),
      apply(
        rejected.map((row) => row.id),
        () => store.rejected(rejected, owner),
      ),
      reopen(retriedIds, () => store.retried(retried, owner)),
      reopen(released, () => store.released(released, owner)),
    ]);
    return { failed };
  };

  // A full batch says that more rows wait: the next claim starts at once and runs while this batch
  // is delivered, so that the database's round trips overlap Kafka's. What it claims is checked
  // against the holds when it is handed over, not when it was claimed.
  let prefetched: Claim | undefined;
  let closing = false;
  const claim = (): Claim => {
    const ticket = holds.begin(now());
    const claimed = { ...ticket, rows: store.claim(options.batchSize, owner, options.leaseMs), until: ticket.startedAt + options.leaseMs };
    // A failure is the next take's to report.
    claimed.rows.catch(() => {});
    return claimed;
  };

  return {
    sharing: "shared",
    takesWhileSettling: true,
    boundedBatches: true,
    ready(signal) {
      watch();
      return options.poller.ready(signal);
    },
    async take() {
      const poll = options.poller.polling();
      const current = prefetched ?? claim();
      prefetched = undefined;
      const rows = await current.rows;
      const more = rows.length >= options.batchSize;
      poll.done(more);
      // Rows claimed ahead whose claim lapsed meanwhile (the sink was away) may have been claimed
      // by another instance since: none of them goes out from here.
      const held =
        current.until <= now()
          ? new Set(rows.map(orderingKeyOf))
          : holds.heldFor(
              current,
              rows.map((row) => row.id),
            );
      const events: SourceEvent[] = [];
      const wait: string[] = [];
      const { until } = current;
      for (const event of rows.map(rowEvent)) {
        const key = event.orderingKey ?? event.id;
        // A row held back holds its aggregate too: a claim begun before it is pending again may
        // hold the aggregate's later rows without it.
        holds.opened(event.id, key, until);
        if (held.has(key)) wait.push(event.id);
        else events.push(event);
      }
      // Best effort: rows not released here come again when their claim lapses.
      if (wait.length > 0)
        await store.released(wait, owner).then(
          () => holds.pendingAgain(wait),
          (error: unknown) => log.warn("could not release rows held back behind an earlier one", { error }),
        );
      // Only now: a claim begun before the rows held back are pending again would be held behind them.
      if (more && !closing) prefetched = claim();
      return batchOf(events, more, settle);
    },
    async redelivered(ids) {
      return (await store.redelivered(ids)) > 0 ? "done" : "gone";
    },
    async close() {
      closing = true;
      const stop = await unwatch;
      await stop?.();
      // Rows claimed ahead and never handed over go back at once rather than when their claim lapses.
      const ahead = await prefetched?.rows.catch(() => []);
      prefetched = undefined;
      if (ahead && ahead.length > 0)
        await store
          .released(
            ahead.map((row) => row.id),
            owner,
          )
          .catch(() => {});
      await store.close();
    },
  };
}

interface Claim extends ClaimTicket {
  readonly rows: Promise<ClaimedRow[]>;
  /** When its rows' claim lapses, by our clock (the database's own is a little later). */
  readonly until: number;
}

function batchOf(events: readonly SourceEvent[], more: boolean, settle: SourceBatch["settle"]): SourceBatch {
  return {
    count: events.length,
    more,
    settle,
    *slices(size) {
      for (let start = 0; start < events.length; start += size) yield events.slice(start, start + size);
    },
  };
}
