/**
 * Rows → Kafka records, pure. Each record carries the rows it delivers, so that what Kafka
 * acknowledges can be recorded and marked row by row. Rows that can never become a record are
 * returned as rejections, with the value the DLQ keeps for them.
 */
import { MappingError, PermanentEventError, RecordTooLargeError } from "../errors.ts";
import { isUndecodable } from "../grpc/find-decoder.ts";
import type { OutboxRow } from "../grpc/wire-types.ts";
import type { EventPipeline, LogPipeline } from "../pipelines/pipeline.ts";
import type { KafkaRecord } from "./ports.ts";

type Row = OutboxRow<unknown>;

/** A record and the rows it delivers. */
export interface Delivery {
  readonly rows: readonly Row[];
  readonly record: KafkaRecord;
  /** Key, value and header bytes: what counts against the size limit. */
  readonly bytes: number;
}

/** A row that cannot be delivered as it is, and what the DLQ keeps for it. */
export interface Rejection {
  readonly row: Row;
  readonly value: string;
  readonly error: PermanentEventError;
  readonly recordKey?: string;
}

export interface Prepared {
  readonly deliveries: Delivery[];
  readonly rejections: Rejection[];
}

export interface RecordContext {
  readonly now: Date;
  readonly maxBytes: number;
}

/** One record per row: key eventId, headers `event-id`, `event-type` and `source`. */
export function prepareEventRecords(pipeline: EventPipeline, rows: readonly Row[], context: RecordContext): Prepared {
  const deliveries: Delivery[] = [];
  const rejections: Rejection[] = [];
  for (const row of rows) {
    const mapped = mapRow(row, (present) => pipeline.toValue(present, context.now));
    if (mapped instanceof MappingError) {
      rejections.push({ row, value: rawRow(row), error: mapped });
      continue;
    }
    const record: KafkaRecord = {
      key: row.eventId,
      value: JSON.stringify(mapped),
      headers: { "event-id": row.eventId, "event-type": row.eventType, source: pipeline.source },
    };
    const bytes = recordBytes(record);
    if (bytes > context.maxBytes) {
      rejections.push({ row, value: record.value, recordKey: record.key, error: new RecordTooLargeError(bytes, context.maxBytes) });
    } else {
      deliveries.push({ rows: [row], record, bytes });
    }
  }
  return { deliveries, rejections };
}

/**
 * One JSON array of log commands for all rows, split into as few records as fit the size limit,
 * each keyed `<keyPrefix>-<nanoseconds>` (consecutive nanoseconds keep the keys distinct). A
 * command too large even alone is rejected with the one-element array the Go processor stored.
 */
export function prepareLogRecords(
  pipeline: LogPipeline,
  rows: readonly Row[],
  context: RecordContext & { readonly nowNanos: bigint },
): Prepared {
  const deliveries: Delivery[] = [];
  const rejections: Rejection[] = [];
  let serial = 0n;
  const nextKey = () => `${pipeline.keyPrefix}-${context.nowNanos + serial++}`;
  const headers = { "event-type": rows[0]?.eventType ?? "", source: pipeline.source };
  // A nanosecond timestamp has at most 20 digits; the brackets of the array are the other 2 bytes.
  const envelope = recordBytes({ key: `${pipeline.keyPrefix}-`, value: "[]", headers }) + 20;

  let batch: { rows: Row[]; items: string[]; bytes: number } = { rows: [], items: [], bytes: envelope };
  const flush = () => {
    if (batch.rows.length === 0) return;
    const record: KafkaRecord = { key: nextKey(), value: `[${batch.items.join(",")}]`, headers };
    deliveries.push({ rows: batch.rows, record, bytes: recordBytes(record) });
    batch = { rows: [], items: [], bytes: envelope };
  };

  for (const row of rows) {
    const mapped = mapRow(row, pipeline.toItem);
    if (mapped instanceof MappingError) {
      rejections.push({ row, value: rawRow(row), error: mapped });
      continue;
    }
    const item = JSON.stringify(mapped);
    const itemBytes = Buffer.byteLength(item);
    if (envelope + itemBytes > context.maxBytes) {
      rejections.push({ row, value: `[${item}]`, error: new RecordTooLargeError(envelope + itemBytes, context.maxBytes) });
      continue;
    }
    const comma = batch.items.length > 0 ? 1 : 0;
    if (batch.bytes + comma + itemBytes > context.maxBytes) flush();
    batch.bytes += (batch.items.length > 0 ? 1 : 0) + itemBytes;
    batch.rows.push(row);
    batch.items.push(item);
  }
  flush();
  return { deliveries, rejections };
}

/** Bytes of a record that count against Kafka's limit (framing aside). */
export function recordBytes(record: KafkaRecord): number {
  let bytes = Buffer.byteLength(record.key) + Buffer.byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** What the DLQ keeps for a row that has no usable payload: the row itself, as JSON. */
export function rawRow(row: Row): string {
  return JSON.stringify(row);
}

/** Why a row has no payload to map (it did not decode, or the backend sent none), if it has none. */
export function missingPayload(row: Row): MappingError | undefined {
  if (isUndecodable(row)) return new MappingError(`${row.eventType} row ${row.eventId} cannot be decoded: ${row.decodeError}`);
  if (row.payload === null || row.payload === undefined) return new MappingError(`${row.eventType} row ${row.eventId} has no payload`);
  return undefined;
}

function mapRow<T>(row: Row, map: (row: Row & { payload: unknown }) => T): T | MappingError {
  const missing = missingPayload(row);
  if (missing) return missing;
  try {
    return map(row as Row & { payload: unknown });
  } catch (error) {
    if (error instanceof MappingError) return error;
    return new MappingError(`${row.eventType} row ${row.eventId} cannot be mapped: ${(error as Error).message ?? error}`, { cause: error });
  }
}
