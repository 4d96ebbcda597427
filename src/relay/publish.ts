/**
 * Sends a cycle's deliveries to one topic in as few sends as Kafka's batch size limit allows, one
 * send at a time, and hands the acknowledged part of each send to `onAcked` before the next send,
 * so that the window between an acknowledgement and its record in the ledger is one batch. A send
 * is judged record by record: what Kafka acknowledged is delivered, what it refused for the
 * records' own fault is split until the record at fault stands alone, and what could not reach
 * its partition's leader waits for the next cycle.
 */
import { KafkaSendError, PermanentEventError } from "../errors.ts";
import type { EventSink, SendOutcome } from "./ports.ts";
import type { Delivery, Rejection } from "./records.ts";
import type { Serial } from "./serial.ts";

export interface PublishResult {
  /** Deliveries Kafka refused for good (a record at fault, or the topic), for the DLQ. */
  readonly rejections: Rejection[];
  /**
   * Deliveries that may go through later (their partition's leader is unreachable); their rows stay
   * PENDING for the next cycle, nothing is counted against them.
   */
  readonly deferred: readonly Delivery[];
  /** Why publishing stopped early, if it did; the unsent deliveries stay PENDING. */
  readonly stoppedBy?: unknown;
}

export async function publishDeliveries(params: {
  sink: EventSink;
  topic: string;
  deliveries: readonly Delivery[];
  maxBatchBytes: number;
  /** Bytes Kafka adds around the records of one send, counted against maxBatchBytes (none if absent). */
  framing?: Framing;
  signal?: AbortSignal;
  /** Runs before every send; throwing stops publishing (the fencing check). */
  beforeSend?: () => Promise<void>;
  /** Receives the deliveries of each send that Kafka acknowledged, before the next send. */
  onAcked: (acked: readonly Delivery[]) => Promise<void>;
  /**
   * Runs each send together with its `onAcked`, exclusively: shared by every pipeline of a process,
   * it keeps the batches acknowledged but not yet recorded to one in the whole process.
   */
  exclusive?: Serial;
}): Promise<PublishResult> {
  const rejections: Rejection[] = [];
  const deferred: Delivery[] = [];
  const exclusive: Serial = params.exclusive ?? ((task) => task());
  const send = async (batch: readonly Delivery[]): Promise<void> => {
    let outcomes: readonly SendOutcome[] = [];
    let recording = false;
    try {
      await exclusive(async () => {
        outcomes = await params.sink.send(params.topic, batch.map((delivery) => delivery.record));
        const acked = batch.filter((_, index) => outcomes[index]?.ok);
        recording = true;
        if (acked.length > 0) await params.onAcked(acked);
      });
    } catch (error) {
      // Kafka acknowledged and only the record failed: nothing to split or dead-letter.
      if (recording) throw error;
      if (!(error instanceof KafkaSendError) || error.retriable) throw error;
      // One refusal for the whole send: every record failed with it.
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    // Records refused for their own fault; the acknowledged ones are never sent again.
    const refused: { delivery: Delivery; error: KafkaSendError }[] = [];
    batch.forEach((delivery, index) => {
      const outcome = outcomes[index];
      if (!outcome || outcome.ok) return;
      if (outcome.error.retriable) deferred.push(delivery);
      else if (outcome.error.scope === "topic") rejections.push(...rejectAll(delivery, outcome.error));
      else refused.push({ delivery, error: outcome.error });
    });
    if (refused.length === 1) {
      const [only] = refused as [(typeof refused)[number]];
      rejections.push(...rejectAll(only.delivery, only.error));
    } else if (refused.length > 1) {
      // Split to find the records Kafka refuses; the others are still delivered.
      const half = Math.ceil(refused.length / 2);
      await send(refused.slice(0, half).map((item) => item.delivery));
      await send(refused.slice(half).map((item) => item.delivery));
    }
  };

  for (const batch of batchesBySize(params.deliveries, params.maxBatchBytes, params.framing)) {
    if (params.signal?.aborted) return { rejections, deferred, stoppedBy: params.signal.reason };
    try {
      await params.beforeSend?.();
      await send(batch);
    } catch (error) {
      return { rejections, deferred, stoppedBy: error };
    }
  }
  return { rejections, deferred };
}

/** Bytes Kafka frames the records of one send with: per record, per record header, per send. */
export interface Framing {
  readonly perRecord: number;
  readonly perHeader: number;
  readonly perBatch: number;
}

/**
 * Kafka's framing in a v2 record batch, at most: per record its length, attributes, timestamp and
 * offset deltas, key and value lengths and header count (varints), two length varints per header,
 * and the batch's 61-byte header. Without it, 1,000,000 bytes of ~300-byte records frame to more
 * than the broker's default message.max.bytes (1,048,588): the broker refuses the whole send
 * (MESSAGE_TOO_LARGE) and every full batch is sent three times (whole, then in halves).
 */
export const KAFKA_FRAMING: Framing = { perRecord: 20, perHeader: 2, perBatch: 61 };

const NO_FRAMING: Framing = { perRecord: 0, perHeader: 0, perBatch: 0 };

/**
 * Consecutive runs of deliveries whose bytes, framing included, add up to at most `maxBytes` (at
 * least one delivery each).
 */
export function batchesBySize(deliveries: readonly Delivery[], maxBytes: number, framing: Framing = NO_FRAMING): Delivery[][] {
  const batches: Delivery[][] = [];
  let current: Delivery[] = [];
  let bytes = framing.perBatch;
  for (const delivery of deliveries) {
    const framed = delivery.bytes + framing.perRecord + framing.perHeader * Object.keys(delivery.record.headers).length;
    if (current.length > 0 && bytes + framed > maxBytes) {
      batches.push(current);
      current = [];
      bytes = framing.perBatch;
    }
    current.push(delivery);
    bytes += framed;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function rejectAll(delivery: Delivery, cause: KafkaSendError): Rejection[] {
  const error = new PermanentEventError(cause.message, { cause });
  if (delivery.rows.length === 1) {
    return [{ row: delivery.rows[0] as Delivery["rows"][number], value: delivery.record.value, recordKey: delivery.record.key, error }];
  }
  // A refused log record: each of its rows goes to the DLQ alone, in the Go format.
  const items = JSON.parse(delivery.record.value) as unknown[];
  return delivery.rows.map((row, index) => ({ row, value: `[${JSON.stringify(items[index])}]`, error }));
}
