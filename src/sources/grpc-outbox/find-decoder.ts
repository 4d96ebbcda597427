/**
 * Decodes a Find response lazily, row by row. The response stays the bytes the backend sent, with
 * the offsets of its rows: for-hobom-backend returns every pending row in one response, and
 * 100,000 rows decoded at once are about four times the memory of their bytes, so the relay decodes
 * them a slice at a time and lets each slice go once it is delivered.
 *
 * Row by row also because grpc-js decodes a response whole: one row a backend wrote wrongly (a
 * field of the wrong wire type, a truncated payload) would fail every Find of its pipeline, for
 * good. A row that does not decode comes back with what could be read of it (eventId and eventType
 * sit outside the payload), its raw bytes and the decode error, so the relay can dead-letter it.
 */
import protobuf from "protobufjs";
import { PROTO_FILES, type ResponseDecoders, type ServiceKey } from "../../grpc/protos.ts";
import type { OutboxRow } from "../../hobom/wire-types.ts";

/**
 * The rows one Find returned, in the backend's order, decoded only when asked for: a Find of
 * for-hobom-backend returns every pending row at once, and 100,000 rows as objects take several
 * times the memory of the bytes they came in.
 */
export interface PendingRows {
  /** How many rows the Find returned. */
  readonly count: number;
  /** Rows `start` to `end` (exclusive), decoded afresh on every call: keep only what is needed. */
  decode(start: number, end: number): OutboxRow<unknown>[];
}

/** A row the relay could not decode; its payload is null. */
export interface UndecodableRow extends OutboxRow<unknown> {
  /** Why decoding failed. */
  readonly decodeError: string;
  /** The row's bytes as sent, base64. */
  readonly raw: string;
}

export function isUndecodable(row: OutboxRow<unknown>): row is UndecodableRow {
  return typeof (row as Partial<UndecodableRow>).decodeError === "string";
}

/** Every outbox package numbers eventId 2 and eventType 3, and `Response.items` is field 1. */
const ITEMS = 1;
const EVENT_ID = 2;
const EVENT_TYPE = 3;
const LENGTH_DELIMITED = 2;

/**
 * The response deserializer of one outbox package's Find rpc, for grpc-js's makeUnaryRequest. It
 * only finds where each row starts and ends; a response whose framing is broken (a row longer
 * than the bytes left) throws, and grpc-js fails the Find.
 */
export function findResponseDeserializer(rowType: protobuf.Type, options: protobuf.IConversionOptions): (bytes: Buffer) => { items: PendingRows } {
  return (bytes) => {
    const bounds = rowBounds(bytes);
    const count = bounds.length / 2;
    return {
      items: {
        count,
        decode(start, end) {
          const rows: OutboxRow<unknown>[] = [];
          for (let index = Math.max(0, start); index < Math.min(end, count); index++) {
            const row = bytes.subarray(bounds[2 * index], bounds[2 * index + 1]);
            try {
              rows.push(rowType.toObject(rowType.decode(row), options) as OutboxRow<unknown>);
            } catch (error) {
              rows.push(undecodable(rowType, row, options, error));
            }
          }
          return rows;
        },
      },
    };
  };
}

/** Start and end offsets of every `items` entry, in pairs. */
function rowBounds(bytes: Uint8Array): Uint32Array {
  const reader = protobuf.Reader.create(bytes);
  let bounds = new Uint32Array(1024);
  let length = 0;
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 !== ITEMS || (tag & 7) !== LENGTH_DELIMITED) {
      reader.skipType(tag & 7);
      continue;
    }
    const size = reader.uint32();
    const start = reader.pos;
    reader.skip(size);
    if (length + 2 > bounds.length) {
      const grown = new Uint32Array(bounds.length * 2);
      grown.set(bounds);
      bounds = grown;
    }
    bounds[length++] = start;
    bounds[length++] = start + size;
  }
  return bounds.subarray(0, length);
}

function undecodable(rowType: protobuf.Type, bytes: Uint8Array, options: protobuf.IConversionOptions, error: unknown): UndecodableRow {
  const defaults = rowType.toObject(rowType.create(), options) as OutboxRow<unknown>;
  const salvaged = salvageIds(bytes);
  return {
    ...defaults,
    eventId: salvaged.eventId,
    eventType: salvaged.eventType,
    payload: null,
    decodeError: (error as Error).message ?? String(error),
    raw: Buffer.from(bytes).toString("base64"),
  };
}

/** Reads the top-level string fields 2 and 3, skipping everything else by its declared length. */
function salvageIds(bytes: Uint8Array): { eventId: string; eventType: string } {
  const found = { eventId: "", eventType: "" };
  const reader = protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      if ((field === EVENT_ID || field === EVENT_TYPE) && (tag & 7) === LENGTH_DELIMITED) {
        found[field === EVENT_ID ? "eventId" : "eventType"] = reader.string();
      } else {
        reader.skipType(tag & 7);
      }
    }
  } catch {
    // The rest of the row is unreadable; keep what was read before it.
  }
  return found;
}

/** The Find services, and the row type each returns. */
const FIND_ROW_TYPES = {
  messageFind: "outbox.message.QueryResult",
  logFind: "outbox.log.QueryResult",
  spaceFind: "outbox.space.QueryResult",
  lawFind: "outbox.law.QueryResult",
  angelFind: "outbox.angel.QueryResult",
} as const satisfies Partial<Record<ServiceKey, string>>;

/**
 * Row-by-row decoders for every Find response, built from the same embedded protos and producing
 * the same objects as grpc/protos.ts's PROTO_LOADER_OPTIONS.
 */
export function loadFindDecoders(): ResponseDecoders {
  const root = new protobuf.Root().loadSync(PROTO_FILES, { keepCase: true });
  const options: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, oneofs: true };
  const decoders: Partial<Record<ServiceKey, (bytes: Buffer) => unknown>> = {};
  for (const [service, rowType] of Object.entries(FIND_ROW_TYPES) as [ServiceKey, string][]) {
    decoders[service] = findResponseDeserializer(root.lookupType(rowType), options);
  }
  return Object.freeze(decoders);
}
