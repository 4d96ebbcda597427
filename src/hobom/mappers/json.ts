/** JSON helpers shared by the mappers. */
import type { Timestamp } from "../wire-types.ts";

const INT64_MAX = 2n ** 63n - 1n;

/**
 * A decimal int64 string as a raw JSON number, so values past 2^53 keep every digit. Anything
 * that is not a plain integer is refused rather than written as invalid JSON.
 */
export function int64Json(decimal: string): unknown {
  if (!/^-?\d{1,19}$/.test(decimal)) throw new TypeError(`not an int64: ${JSON.stringify(decimal)}`);
  const value = BigInt(decimal);
  if (value > INT64_MAX || value < -INT64_MAX - 1n) throw new TypeError(`not an int64: ${decimal}`);
  return JSON.rawJSON(value.toString());
}

/** RFC 3339 in UTC with whole seconds, as Go's `time.RFC3339` writes it. */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A protobuf Timestamp as RFC 3339 UTC with whole seconds. */
export function timestampToRfc3339(timestamp: Timestamp): string {
  return rfc3339Seconds(new Date(Number(timestamp.seconds) * 1000));
}

/** A string map with its keys in sorted order, as Go's encoding/json writes every map. */
export function sortedMap(map: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key] as string;
  return out;
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
