/**
 * One batch through a pipeline, slice by slice: settle what the delivery ledger says was
 * delivered → encode the rest → deliver within the sink's limits, recording and settling each
 * acknowledged delivery → dead-letter what can never be delivered → leave what failed for now to
 * come again. The settles run alongside and are waited for by the pipeline loop. The same cycle
 * serves every sink: one that takes one event at a time (a save that is not idempotent) simply has
 * limits of one.
 */
import type { Logger } from "../observability/logger.ts";
import { deliverAll, eventsOf } from "./deliver.ts";
import { DependencyError, MappingError, RetriesExhaustedError } from "./errors.ts";
import type { Fence } from "./fence.ts";
import type { RelayMetrics } from "./metrics.ts";
import type { Once } from "./once.ts";
import type { Codec, DeadLetterStore, DeliveryLedger, Encoded, Sink, SourceBatch, SourceEvent } from "./ports.ts";
import { readSlices } from "./read-slices.ts";
import type { Serial } from "./serial.ts";
import { createSettlements, type Settlements } from "./settle.ts";

/** Events read, encoded and delivered at a time; a 100,000-event batch is 100 slices. */
export const SLICE_EVENTS = 1_000;

/** Events delivered but not yet settled, at most, before the next slice is delivered. */
export const SETTLES_AHEAD = 2 * SLICE_EVENTS;

export interface CycleContext<M> {
  readonly pipeline: { readonly name: string; readonly dlqPrefix: string };
  readonly codec: Codec<M>;
  readonly sink: Sink<M>;
  readonly ledger: DeliveryLedger;
  readonly dlq: DeadLetterStore;
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  /** Whether this instance still owns the pipeline; checked before deliveries and settles. */
  readonly fence: Fence;
  readonly once: Once;
  readonly now: () => Date;
  /** Shared by every pipeline: one delivery-and-record at a time in the process. */
  readonly exclusive?: Serial;
  /** Attempts after which an event whose delivery keeps failing for its own reason is dead-lettered; absent: never. */
  readonly maxAttempts?: number;
  /** Told how many events were settled (full collections are paced by it). */
  readonly onSettled?: (events: number) => void;
}

/** How a cycle ended; `settled` resolves when its settles have, which the loop waits for before the next batch. */
export type CycleOutcome =
  | { readonly status: "done"; readonly fetched: number; readonly more: boolean; readonly settled?: Promise<unknown> }
  | { readonly status: "failed"; readonly error: unknown; readonly settled?: Promise<unknown> };

export async function runCycle<M>(context: CycleContext<M>, batch: SourceBatch, signal: AbortSignal): Promise<CycleOutcome> {
  const { pipeline, metrics, sink } = context;
  metrics.rows("fetched", pipeline.name, batch.count);
  if (batch.count === 0) {
    metrics.oldestRowAge(pipeline.name, 0);
    return { status: "done", fetched: 0, more: batch.more };
  }
  const settlements = createSettlements({
    pipeline,
    batch,
    dlq: context.dlq,
    log: context.log,
    metrics,
    owned: context.fence.isValid,
    now: context.now,
    onSettled: context.onSettled,
  });
  // Keys whose events must wait for the next cycle because an earlier event of the key did not go.
  const held = new Set<string>();
  let stoppedBy: unknown;
  let retryError: unknown;
  for (const slice of readSlices(context, batch, SLICE_EVENTS)) {
    // Sinks take a slice far faster than some sources settle it (one call per row): without a
    // bound, a large batch would be all delivered, and waiting in memory for its settles.
    await settlements.waitBelow(SETTLES_AHEAD);
    let recorded: Set<string>;
    try {
      recorded = await context.ledger.delivered(
        pipeline.name,
        slice.map((event) => event.id),
      );
    } catch (error) {
      stoppedBy = error;
      settlements.released(slice);
      break;
    }
    settlements.delivered(slice.filter((event) => recorded.has(event.id)));
    const waiting = slice.filter((event) => !recorded.has(event.id) && isHeld(held, event));
    settlements.released(waiting);
    const fresh = slice.filter((event) => !recorded.has(event.id) && !isHeld(held, event));
    const unreadable = fresh.filter((event) => event.unreadable !== undefined);
    const readable = fresh.filter((event) => event.unreadable === undefined);
    const { messages, unencodable } = context.codec.encode(readable, { now: context.now(), limits: sink.limits });
    for (const event of unreadable) {
      const error = new MappingError(`${event.type} row ${event.id} cannot be decoded: ${event.unreadable}`);
      await settlements.deadLetter({
        event,
        value: JSON.stringify(event.record),
        error,
        replayable: false,
        attempts: 1,
        destination: context.codec.destination,
      });
    }
    for (const item of unencodable) await settlements.deadLetter({ ...item, attempts: 1 });

    const result = await deliverAll({
      sink,
      messages,
      signal,
      held,
      beforeDelivery: context.fence.assertHeld,
      exclusive: context.exclusive,
      onAcked: (acked) => acknowledged(context, settlements, acked),
    });
    for (const { encoded, error } of result.refused) {
      for (const [index, event] of encoded.events.entries()) {
        const attempts = attemptsOf(error) ?? (event.attempts ?? 0) + 1;
        await settlements.deadLetter({ event, value: encoded.deadLetterValues[index] ?? "", error, replayable: true, attempts, ...destinationOf(encoded) });
      }
    }
    for (const { encoded, kind, error } of result.unsent) {
      if (kind === "deferred") {
        metrics.rows("deferred", pipeline.name, encoded.events.length);
        settlements.released(encoded.events);
        continue;
      }
      retryError ??= error;
      if (error instanceof DependencyError && retryError !== error) metrics.dependencyError(error.dependency);
      await retryOrGiveUp(context, settlements, encoded, error);
    }
    // What was not tried once delivering stopped comes again as it was.
    if (result.stoppedBy !== undefined) {
      stoppedBy = result.stoppedBy;
      settlements.released(eventsOf(result.untried));
      break;
    }
  }
  const settled = settlements.drain();
  const failure = stoppedBy ?? retryError;
  if (failure !== undefined && !signal.aborted) return { status: "failed", error: failure, settled };
  return { status: "done", fetched: batch.count, more: batch.more, settled };
}

function isHeld(held: ReadonlySet<string>, event: SourceEvent): boolean {
  return event.orderingKey !== undefined && held.has(event.orderingKey);
}

/**
 * An acknowledged delivery: recorded and settled. A sink that is not idempotent has its record
 * written first (a settle that fails must not lead to a second delivery), and a record that fails
 * is logged and settled anyway; an idempotent one is settled beside its record (a settle held up
 * by a Redis that hangs could outlive the lease), and a record that fails stops the cycle.
 */
async function acknowledged<M>(context: CycleContext<M>, settlements: Settlements, acked: readonly Encoded<M>[]): Promise<void> {
  const events = eventsOf(acked);
  const ids = events.map((event) => event.id);
  context.metrics.rows("published", context.pipeline.name, events.length);
  if (context.sink.idempotent) {
    settlements.delivered(events);
    await context.ledger.record(context.pipeline.name, ids);
    return;
  }
  try {
    await context.ledger.record(context.pipeline.name, ids);
  } catch (error) {
    context.log.warn("could not record the delivery; settling it anyway", { eventIds: ids, error });
  }
  settlements.delivered(events);
}

/** One more failed attempt: the events come again, or go to the DLQ once they used up their attempts. */
async function retryOrGiveUp<M>(context: CycleContext<M>, settlements: Settlements, encoded: Encoded<M>, error: Error): Promise<void> {
  const again: SourceEvent[] = [];
  for (const [index, event] of encoded.events.entries()) {
    const attempts = (event.attempts ?? 0) + 1;
    if (context.maxAttempts === undefined || attempts < context.maxAttempts) {
      again.push(event);
      continue;
    }
    const exhausted = new Error(`gave up after ${attempts} attempts: ${error.message}`, { cause: error });
    await settlements.deadLetter({
      event,
      value: encoded.deadLetterValues[index] ?? "",
      error: exhausted,
      replayable: true,
      attempts,
      ...destinationOf(encoded),
    });
  }
  settlements.retried(again, error);
}

/** Where the message was bound, for the DLQ entry (a topic, a record key, headers). */
function destinationOf<M>(encoded: Encoded<M>): Pick<Encoded<M>, "destination" | "recordKey" | "headers"> {
  return { destination: encoded.destination, recordKey: encoded.recordKey, headers: encoded.headers };
}

/** The attempts a sink made itself before it refused (e.g. LLM Generate retried), when it says. */
function attemptsOf(error: unknown): number | undefined {
  for (let link: unknown = error, depth = 0; link instanceof Error && depth < 5; link = link.cause, depth++) {
    if (link instanceof RetriesExhaustedError) return link.attempts;
  }
  return undefined;
}
