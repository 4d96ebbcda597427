/** The opaque `cursor` of GET /dlq/entries: where the previous page ended (its last entry's failure time and key). */
import type { SearchPosition } from "../../state/dlq-search.ts";
import { invalidParameter } from "./dlq-errors.ts";

export function encodeCursor(position: SearchPosition): string {
  return Buffer.from(JSON.stringify([position.failedAt, position.key])).toString("base64url");
}

/** The position a cursor names, or a 400 `invalid cursor`. */
export function decodeCursor(cursor: string): SearchPosition {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(decoded) && decoded.length === 2 && Number.isFinite(decoded[0]) && typeof decoded[1] === "string") {
      return { failedAt: decoded[0] as number, key: decoded[1] };
    }
  } catch {
    // Falls through to the 400 below.
  }
  throw invalidParameter("cursor", "cursor is the nextCursor of the previous page, as it was given");
}
