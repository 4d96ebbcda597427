/** A claimed row of an outbox table as the engine's event. */
import type { SourceEvent } from "../../engine/ports.ts";
import type { ClaimedRow } from "./store.ts";

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
    orderingKey: orderingKeyOf(row),
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

/** An aggregate: its type and id. */
export function orderingKeyOf(row: ClaimedRow): string {
  return `${row.aggregatetype}\u0000${row.aggregateid}`;
}
