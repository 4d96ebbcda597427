/** JSON helpers shared by the mappers. */
import type { Timestamp } from "../../grpc/wire-types.ts";

/**
 * A decimal int64 string as a raw JSON number, so values past 2^53 keep every digit. Anything
 * that is not a plain integer is refused rather than written as invalid JSON.
 */
export function int64Json(decimal: string): unknown {
  if (!/^-?\d{1,19}$/.test(decimal)) throw new TypeError(`not an int64: ${JSON.stringify(decimal)}`);
  return JSON.rawJSON(decimal.replace(/^(-?)0+(?=\d)/, "$1"));
}

/** RFC 3339 in UTC with whole seconds, as Go's `time.RFC3339` writes it. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A protobuf Timestamp as RFC 3339 UTC with whole seconds. */
export function timestampToRfc3339(timestamp: Timestamp): string {
  return rfc3339Seconds(new Date(Number(timestamp.seconds) * 1000));
}

/** Copies only the entries whose value is not "", 0, an empty map or an empty array. */
export function withoutEmpty(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (!isEmpty(value)) out[key] = value;
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === "" || value === 0 || value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value as object).length === 0;
  return false;
}
