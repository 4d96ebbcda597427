/**
 * One cycle of a Kafka pipeline: Find → skip what the ledger says was delivered (mark only) →
 * build records → send batch by batch, recording and marking each acknowledged batch → DLQ what
 * can never be delivered → wait for the marks.
 */
import type { EventPipeline, LogPipeline } from "../pipelines/pipeline.ts";
import type { CycleOutcome, PipelineContext } from "./context.ts";
import { fetchPending } from "./fetch.ts";
import type { EventSink } from "./ports.ts";
import { KAFKA_FRAMING, publishDeliveries } from "./publish.ts";
import { prepareEventRecords, prepareLogRecords, type Rejection } from "./records.ts";
import type { Serial } from "./serial.ts";
import { createSettler } from "./settle.ts";

/** Rows built into records and sent at a time; a 100,000-row Find is 20 slices. */
const SLICE_ROWS = 5_000;

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
  const { rows, more } = await fetchPending(context, signal);
  if (rows.length === 0) return { status: "done", fetched: 0, more };

  const delivered = await ledger.delivered(pipeline.name, rows.map((row) => row.eventId));
  const settler = createSettler(context);
  settler.markSent(rows.filter((row) => delivered.has(row.eventId)));
  const fresh = rows.filter((row) => !delivered.has(row.eventId));

  // A large Find is built and sent slice by slice, so its records never all exist at once.
  const rejections: Rejection[] = [];
  let stoppedBy: unknown;
  for (let start = 0; start < fresh.length && stoppedBy === undefined; start += SLICE_ROWS) {
    const slice = fresh.slice(start, start + SLICE_ROWS);
    const recordContext = { now: context.now(), maxBytes: context.maxMessageBytes };
    const prepared =
      pipeline.kind === "event"
        ? prepareEventRecords(pipeline, slice, recordContext)
        : prepareLogRecords(pipeline, slice, { ...recordContext, nowNanos: context.nowNanos() + BigInt(start) });
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
        try {
          await ledger.record(pipeline.name, sent.map((row) => row.eventId));
        } finally {
          // Marked even when the record failed: the mark is the real state, the record its guard.
          settler.markSent(sent);
        }
      },
    });
    rejections.push(...prepared.rejections, ...published.rejections);
    stoppedBy = published.stoppedBy;
  }

  for (const rejection of rejections) {
    await settler.deadLetter(rejection, context.topic);
  }
  const marks = settler.drain();
  if (stoppedBy !== undefined && !signal.aborted) return { status: "failed", error: stoppedBy, marks };
  return { status: "done", fetched: rows.length, more, marks };
}
