/**
 * Reading and deleting DLQ entries: SCAN (never KEYS), the stored value exactly as written, and
 * the metadata the relay keeps beside it (absent for entries the Go processor wrote). A delete
 * takes the entry out of the index too (dlq-index.ts), in one step.
 */
import { type DlqEntryMeta, toMeta } from "./dlq-meta.ts";
import { type KeyScheme, MAX_DLQ_KEY_LENGTH, PLAIN_EVENT_ID } from "./keys.ts";
import type { Redis } from "./redis.ts";

export type { DlqEntryMeta } from "./dlq-meta.ts";

/**
 * KEYS[1] the entry, KEYS[2] its metadata, KEYS[3] its prefix's index by last failure, KEYS[4] by expiry.
 * Deletes the entry and its metadata and drops it from the index. Returns the keys deleted (0: there was no entry).
 */
const REMOVE_SCRIPT = `
local deleted = redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], KEYS[1])
redis.call('ZREM', KEYS[4], KEYS[1])
return deleted
`;

/** The widest SCAN page a paged listing asks for when the pages it gets hold no entry. */
const WIDEST_PAGE = 1000;

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
   * From `cursor`, SCAN pages until `count` entries (a little more when the last page brings more:
   * a page is never cut, or its other keys would be lost behind the cursor) or the end; or (no
   * cursor) until every key or at least `maxKeys` were seen. `nextCursor` goes on after the last
   * page read. Pages that hold no entry widen, so a keyspace with few entries is crossed fast.
   */
  list(options: { matchPrefixes: readonly string[]; cursor?: string; count: number; maxKeys: number }): Promise<ListPage>;
  /** The entry, or undefined when there is none. */
  get(key: string): Promise<StoredEntry | undefined>;
  /** Deletes the entry and its metadata and drops it from the index; false when there was no entry. */
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
        const items = new Set<string>();
        let next = cursor;
        let width = count;
        do {
          const [after, found] = await scanPage(next, pattern, width);
          next = after;
          const entries = found.filter(wanted);
          for (const key of entries) items.add(key);
          if (entries.length === 0) width = Math.min(width * 2, Math.max(WIDEST_PAGE, count));
        } while (next !== "0" && items.size < count);
        return { items: [...items], nextCursor: next };
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
        redis.send("HGETALL", [metaKey]),
        redis.send("TTL", [key]) as Promise<number>,
      ]);
      if (value === null || value === undefined) return undefined;
      return { key, value: String(value), meta: toMeta(meta), expiresInSeconds: Number(ttl) >= 0 ? Number(ttl) : null };
    },
    async remove(key) {
      const prefix = keys.dlqPrefixOf(key) ?? "";
      return Number(await redis.script(REMOVE_SCRIPT, [key, keys.dlqMeta(key), keys.dlqIndex(prefix), keys.dlqExpiry(prefix)], [])) > 0;
    },
  };
}

/** Keys under one of the prefixes that are entries the relay could have written (a stray key with a bad eventId is not listed). */
export function isEntryKey(key: string, prefixes: readonly string[]): boolean {
  if (key.length > MAX_DLQ_KEY_LENGTH) return false;
  const prefix = prefixes.find((candidate) => key.startsWith(candidate));
  return prefix !== undefined && PLAIN_EVENT_ID.test(key.slice(prefix.length));
}

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
