/**
 * Reading and deleting DLQ entries: SCAN (never KEYS), the stored value exactly as written, and
 * the metadata the relay keeps beside it (absent for entries the Go processor wrote).
 */
import { type KeyScheme, MAX_DLQ_KEY_LENGTH, PLAIN_EVENT_ID } from "./keys.ts";
import type { Redis } from "./redis.ts";

/** Why and when an entry failed, as the relay records it. */
export interface DlqEntryMeta {
  readonly pipeline: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly topic: string;
  readonly recordKey: string;
  /** The headers it was sent with (pipelines whose mapping sets headers); empty otherwise. */
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly replayable: boolean;
}

export interface StoredEntry {
  readonly key: string;
  /** The stored bytes, exactly. */
  readonly value: string;
  readonly meta: DlqEntryMeta | null;
  /** Seconds until Redis drops the entry; null when it has no expiry. */
  readonly expiresInSeconds: number | null;
}

export interface ListPage {
  readonly items: string[];
  /** "0" when the listing is complete. */
  readonly nextCursor: string;
}

export interface DlqEntries {
  /**
   * One SCAN page of ≈`count` keys from `cursor`, or (no cursor) whole SCAN pages until every key
   * or at least `maxKeys` were seen; `nextCursor` then goes on after the last key returned.
   */
  list(options: { matchPrefixes: readonly string[]; cursor?: string; count: number; maxKeys: number }): Promise<ListPage>;
  /** The entry, or undefined when there is none. */
  get(key: string): Promise<StoredEntry | undefined>;
  /** Deletes the entry and its metadata; false when there was none. */
  remove(key: string): Promise<boolean>;
}

export function createDlqEntries(params: { redis: Redis; keys: KeyScheme }): DlqEntries {
  const { redis, keys } = params;

  const scanPage = async (cursor: string, pattern: string, count: number): Promise<[string, string[]]> => {
    const [next, found] = (await redis.send("SCAN", [cursor, "MATCH", pattern, "COUNT", String(count)])) as [string, string[]];
    return [String(next), found.map(String)];
  };

  return {
    async list({ matchPrefixes, cursor, count, maxKeys }) {
      const wanted = (key: string) => isEntryKey(key, matchPrefixes);
      const pattern = matchPrefixes.length === 1 ? `${globEscape(matchPrefixes[0] as string)}*` : `${globEscape(keys.namespace)}dlq:*`;
      if (cursor !== undefined) {
        const [next, found] = await scanPage(cursor, pattern, count);
        return { items: found.filter(wanted), nextCursor: next };
      }
      const items = new Set<string>();
      let next = "0";
      do {
        const [after, found] = await scanPage(next, pattern, Math.max(count, 1000));
        next = after;
        for (const key of found) if (wanted(key)) items.add(key);
      } while (next !== "0" && items.size < maxKeys);
      // Never cut a page: keys dropped here would lie behind nextCursor and never be listed.
      return { items: [...items], nextCursor: next };
    },
    async get(key) {
      const metaKey = keys.dlqMeta(key);
      const [value, meta, ttl] = await Promise.all([
        redis.send("GET", [key]) as Promise<string | null>,
        redis.send("HGETALL", [metaKey]) as Promise<Record<string, string> | string[] | null>,
        redis.send("TTL", [key]) as Promise<number>,
      ]);
      if (value === null || value === undefined) return undefined;
      return { key, value: String(value), meta: toMeta(meta), expiresInSeconds: Number(ttl) >= 0 ? Number(ttl) : null };
    },
    async remove(key) {
      return Number(await redis.send("DEL", [key, keys.dlqMeta(key)])) > 0;
    },
  };
}

/** Keys under one of the prefixes that are entries the relay could have written (a stray key with a bad eventId is not listed). */
function isEntryKey(key: string, prefixes: readonly string[]): boolean {
  if (key.length > MAX_DLQ_KEY_LENGTH) return false;
  const prefix = prefixes.find((candidate) => key.startsWith(candidate));
  return prefix !== undefined && PLAIN_EVENT_ID.test(key.slice(prefix.length));
}

function headersIn(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** HGETALL comes back as an object (RESP3) or a flat list (RESP2); empty means no metadata. */
function toMeta(raw: Record<string, string> | string[] | null): DlqEntryMeta | null {
  if (!raw) return null;
  const fields: Record<string, string> = {};
  if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) fields[String(raw[i])] = String(raw[i + 1]);
  else Object.assign(fields, raw);
  if (Object.keys(fields).length === 0) return null;
  return {
    pipeline: fields.pipeline ?? "",
    eventId: fields.eventId ?? "",
    eventType: fields.eventType ?? "",
    topic: fields.topic ?? "",
    recordKey: fields.recordKey ?? "",
    headers: headersIn(fields.headers),
    reason: fields.reason ?? "",
    attempts: Number(fields.attempts ?? 0),
    firstFailedAt: fields.firstFailedAt ?? "",
    lastFailedAt: fields.lastFailedAt ?? "",
    replayable: fields.replayable !== "0",
  };
}
