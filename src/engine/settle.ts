/**
 * The end of an event's trip: tell its source it was delivered (alongside the next delivery), or
 * write the DLQ entry first and only then tell the source it was given up. A settle that fails
 * leaves the event to come again, where its delivery record makes it a settle-only event; a DLQ
 * write that fails releases it (it comes again as it was). Nothing is settled once this instance
 * no longer owns the pipeline: that is the new owner's to do.
 */
import type { Logger } from "../observability/logger.ts";
import { DependencyError, describeError } from "./errors.ts";
import type { RelayMetrics } from "./metrics.ts";
import type { DeadLetter, DeadLetterStore, Settlement, SourceBatch, SourceEvent } from "./ports.ts";

/** Events per settle call: small enough that the outstanding count falls steadily while a source marks row by row. */
export const SETTLE_CHUNK = 250;

/** An event given up, and what its DLQ entry holds. */
export interface GivenUp {
  readonly event: SourceEvent;
  readonly value: string;
  readonly error: Error;
  readonly replayable: boolean;
  readonly destination?: string;
  readonly recordKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Delivery attempts that failed, this one included. */
  readonly attempts: number;
}

export interface Settlements {
  /** Settles these events as delivered (in chunks, without waiting). */
  delivered(events: readonly SourceEvent[]): void;
  /** One more attempt counts against these events; they come again. */
  retried(events: readonly SourceEvent[], error: unknown): void;
  /** These events come again as they are. */
  released(events: readonly SourceEvent[]): void;
  /** DLQ entry, then settle as given up; resolves when both are done or one gave up. */
  deadLetter(givenUp: GivenUp): Promise<void>;
  /** Resolves once at most `limit` events wait for their settle. */
  waitBelow(limit: number): Promise<void>;
  /** Resolves once every settle so far is done; logs what was left to another owner or failed. */
  drain(): Promise<void>;
}

export interface SettleContext {
  readonly pipeline: { readonly name: string; readonly dlqPrefix: string };
  readonly batch: SourceBatch;
  readonly dlq: DeadLetterStore;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Whether this instance still owns the pipeline (cheap, local). */
  readonly owned: () => boolean;
  readonly now: () => Date;
  /** Told how many events were settled, whatever the outcome (full collections are paced by it). */
  readonly onSettled?: (events: number) => void;
}

export function createSettlements(context: SettleContext): Settlements {
  const { pipeline, batch, metrics, log } = context;
  const pending = new Set<Promise<unknown>>();
  let outstanding = 0;
  let waiters: { limit: number; resolve: () => void }[] = [];
  let leftToOwner = 0;
  let failed = 0;
  let firstFailure: unknown;

  const wake = () => {
    waiters = waiters.filter((waiter) => {
      if (outstanding > waiter.limit) return true;
      waiter.resolve();
      return false;
    });
  };

  /**
   * Tells the source, counting `size` events as outstanding until it has answered; resolves with
   * the errors of the events it could not settle.
   */
  const tell = (settlement: Settlement, size: number, counted: "marked_sent" | "marked_failed" | undefined): Promise<unknown[]> => {
    if (size === 0) return Promise.resolve([]);
    if (!context.owned()) {
      leftToOwner += size;
      return Promise.resolve([]);
    }
    outstanding += size;
    const done: Promise<unknown[]> = batch
      .settle(settlement)
      .then(
        (report) => report.failed.map((failure) => failure.error),
        (error: unknown) => Array.from({ length: size }, () => error),
      )
      .then((errors) => {
        if (counted) metrics.rows(counted, pipeline.name, size - errors.length);
        for (const error of errors) {
          failed++;
          firstFailure ??= error;
          if (error instanceof DependencyError) metrics.dependencyError(error.dependency);
        }
        return errors;
      })
      .finally(() => {
        outstanding -= size;
        pending.delete(done);
        context.onSettled?.(size);
        wake();
      });
    pending.add(done);
    return done;
  };

  return {
    delivered(events) {
      for (let start = 0; start < events.length; start += SETTLE_CHUNK) {
        const chunk = events.slice(start, start + SETTLE_CHUNK);
        void tell({ delivered: chunk }, chunk.length, "marked_sent");
      }
    },
    retried(events, error) {
      const reason = describeError(error);
      void tell({ retried: events.map((event) => ({ event, reason })) }, events.length, undefined);
    },
    released(events) {
      void tell({ released: events }, events.length, undefined);
    },
    async deadLetter(givenUp) {
      const { event } = givenUp;
      const reason = describeError(givenUp.error);
      const letter: DeadLetter = {
        pipeline: pipeline.name,
        prefix: pipeline.dlqPrefix,
        eventId: event.id,
        eventType: event.type,
        value: givenUp.value,
        reason,
        destination: givenUp.destination,
        recordKey: givenUp.recordKey,
        headers: givenUp.headers,
        replayable: givenUp.replayable,
        failedAt: context.now(),
        attempts: givenUp.attempts,
      };
      try {
        await context.dlq.put(letter);
      } catch (error) {
        if (error instanceof DependencyError) metrics.dependencyError(error.dependency);
        log.error("DLQ write failed; the event stays where it was and is tried again next cycle", { eventId: event.id, reason, error: describeError(error) });
        await tell({ released: [event] }, 1, undefined);
        return;
      }
      metrics.rows("dead_lettered", pipeline.name, 1);
      log.warn("event sent to the DLQ", { eventId: event.id, reason });
      const [markError] = await tell({ rejected: [{ event, reason }] }, 1, "marked_failed");
      if (markError !== undefined)
        log.warn("mark FAILED failed; the DLQ entry is kept and the event is tried again next cycle", { eventId: event.id, error: describeError(markError) });
    },
    waitBelow(limit) {
      if (outstanding <= limit) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ limit, resolve }));
    },
    async drain() {
      while (pending.size > 0) await Promise.all(pending);
      if (leftToOwner > 0) log.warn("lease lost: left the settling to the new owner", { events: leftToOwner });
      if (failed > 0) {
        log.warn("some settles failed; those events come again and are only settled next cycle", { failed, error: describeError(firstFailure) });
      }
    },
  };
}
