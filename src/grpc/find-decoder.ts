/**
 * Decodes a Find response row by row. grpc-js decodes a response whole, so one row a backend wrote
 * wrongly (a field of the wrong wire type, a truncated payload) would fail every Find of its
 * pipeline, for good. Here each row is decoded on its own; a row that does not decode comes back
 * with what could be read of it (eventId and eventType sit outside the payload), its raw bytes and
 * the decode error, so the relay can dead-letter it and move on.
 */
import protobuf from "protobufjs";
import type { OutboxRow } from "./wire-types.ts";

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

/** The row deserializer of one outbox package's Find rpc, for grpc-js's makeUnaryRequest. */
export function findResponseDeserializer(rowType: protobuf.Type, options: protobuf.IConversionOptions): (bytes: Buffer) => { items: OutboxRow<unknown>[] } {
  return (bytes) => {
    const reader = protobuf.Reader.create(bytes);
    const items: OutboxRow<unknown>[] = [];
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 !== ITEMS || (tag & 7) !== LENGTH_DELIMITED) {
        reader.skipType(tag & 7);
        continue;
      }
      const row = reader.bytes();
      try {
        items.push(rowType.toObject(rowType.decode(row), options) as OutboxRow<unknown>);
      } catch (error) {
        items.push(undecodable(rowType, row, options, error));
      }
    }
    return { items };
  };
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
