/**
 * One cycle of a Kafka pipeline: Find, then slice by slice: skip what the ledger says was delivered
 * (mark only) → build records → send batch by batch, marking and recording each acknowledged batch
 * → DLQ what can never be delivered. The marks run alongside and are waited for by the poll loop.
 */
import type { EventPipeline, LogPipeline } from "../pipelines/pipeline.ts";
import type { CycleOutcome, PipelineContext } from "./context.ts";
import { fetchPending } from "./fetch.ts";
import type { EventSink } from "./ports.ts";
import { KAFKA_FRAMING, publishDeliveries } from "./publish.ts";
import { prepareEventRecords, prepareLogRecords } from "./records.ts";
import type { Serial } from "./serial.ts";
import { createSettler } from "./settle.ts";

/** Rows decoded, built into records and sent at a time; a 100,000-row Find is 100 slices. */
export const SLICE_ROWS = 1_000;

/** Rows acknowledged by Kafka but not yet marked, at most, before the next slice is sent. */
export const MARKS_AHEAD = 2 * SLICE_ROWS;

export interface KafkaPipelineContext extends PipelineContext<EventPipeline | LogPipeline> {
  readonly sink: EventSink;
  readonly topic: string;
  readonly maxMessageBytes: number;
  /** Wall-clock nanoseconds, for log record keys. */
  readonly nowNanos: () => bigint;
  /** Shared by every pipeline: one send-and-record at a time in the process. */
  readonly deliveries?: Serial;
}

export async function runKafkaCycle(context: KafkaPipelineContext, signal: AbortSignal): Promise<CycleOutcome> {
  const { pipeline, ledger, metrics } = context;
  const fetched = await fetchPending(context, signal);
  if (fetched.count === 0) return { status: "done", fetched: 0, more: fetched.more };

  const settler = createSettler(context);
  let stoppedBy: unknown;
  let offset = 0n;
  for (const rows of fetched.slices(SLICE_ROWS)) {
    // Kafka takes a slice far faster than its rows can be marked one by one: without a bound, a
    // large Find would be all in Kafka, and every row waiting in memory for its mark, long before
    // the marks are done.
    await settler.waitForMarks(MARKS_AHEAD);
    const recordContext = { now: context.now(), maxBytes: context.maxMessageBytes };
    let delivered: Set<string>;
    try {
      delivered = await ledger.delivered(pipeline.name, rows.map((row) => row.eventId));
    } catch (error) {
      stoppedBy = error;
      break;
    }
    settler.markSent(rows.filter((row) => delivered.has(row.eventId)));
    const fresh = rows.filter((row) => !delivered.has(row.eventId));
    const prepared =
      pipeline.kind === "event"
        ? prepareEventRecords(pipeline, fresh, recordContext)
        : prepareLogRecords(pipeline, fresh, { ...recordContext, nowNanos: context.nowNanos() + offset });
    offset += BigInt(rows.length);
    const published = await publishDeliveries({
      sink: context.sink,
      topic: context.topic,
      deliveries: prepared.deliveries,
      maxBatchBytes: context.maxMessageBytes,
      framing: KAFKA_FRAMING,
      signal,
      beforeSend: context.fence.assertHeld,
      exclusive: context.deliveries,
      onAcked: async (acked) => {
        const sent = acked.flatMap((delivery) => delivery.rows);
        metrics.rows("published", pipeline.name, sent.length);
        // Marked at once, beside the record: the mark is the real state and the record only its
        // guard. Marks that waited for a Redis that hangs (a shutdown, a half-open connection)
        // could start after the lease lapsed, and leave the batch neither marked nor recorded, to
        // be sent again by the next owner.
        settler.markSent(sent);
        await ledger.record(pipeline.name, sent.map((row) => row.eventId));
      },
    });
    // Their partitions' leaders are unreachable: the rows stay PENDING, nothing counts against them.
    metrics.rows("deferred", pipeline.name, published.deferred.reduce((rows, delivery) => rows + delivery.rows.length, 0));
    for (const rejection of [...prepared.rejections, ...published.rejections]) {
      await settler.deadLetter(rejection, context.topic);
    }
    stoppedBy = published.stoppedBy;
    if (stoppedBy !== undefined) break;
  }

  const marks = settler.drain();
  if (stoppedBy !== undefined && !signal.aborted) return { status: "failed", error: stoppedBy, marks };
  return { status: "done", fetched: fetched.count, more: fetched.more, marks };
}
