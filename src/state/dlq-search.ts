/**
 * Searching the DLQ through its index (dlq-index.ts): the entries of some prefixes, oldest last
 * failure first (equal times by key), filtered by age, reason text and event type, a page at a
 * time after a position. Only the index and the matching entries are read, never the keyspace.
 * A member whose entry is gone is dropped from the index when met and not counted.
 */
import type { DlqIndex, IndexedMember } from "./dlq-index.ts";
import { type DlqEntryMeta, hashFields, toMeta } from "./dlq-meta.ts";
import type { KeyScheme } from "./keys.ts";
import type { Redis } from "./redis.ts";

/** Index members read per round trip. */
const CHUNK = 500;

export interface SearchFilter {
  /** DLQ prefixes without the namespace, e.g. `dlq:menu:`. */
  readonly prefixes: readonly string[];
  /** Last failure at or after / at or before, epoch ms. */
  readonly failedFrom?: number;
  readonly failedUntil?: number;
  /** Case-insensitive substring of the recorded reason. */
  readonly reason?: string;
  /** The recorded event type, exactly. */
  readonly eventType?: string;
}

/** Where a page ended: the next page starts after this entry. */
export interface SearchPosition {
  readonly failedAt: number;
  readonly key: string;
}

export interface FoundEntry {
  readonly key: string;
  /** Its DLQ prefix, without the namespace. */
  readonly prefix: string;
  /** Its index score: the last failure, epoch ms (estimated from the TTL when there is no metadata). */
  readonly failedAt: number;
  readonly meta: DlqEntryMeta | null;
  /** When Redis drops it, epoch ms; null when it has no expiry. */
  readonly expiresAt: number | null;
  /** Bytes of the stored value. */
  readonly bytes: number;
}

export interface SearchPage {
  readonly items: FoundEntry[];
  /** Entries matching the filter in all, before and after this page. */
  readonly matched: number;
  /** Where the next page starts; null when this is the last. */
  readonly next: SearchPosition | null;
}

export interface DlqSearch {
  search(filter: SearchFilter, page: { after?: SearchPosition; limit: number }): Promise<SearchPage>;
}

export function createDlqSearch(params: { redis: Redis; keys: KeyScheme; index: DlqIndex; now?: () => number }): DlqSearch {
  const { redis, keys, index, now = Date.now } = params;

  /** What a content filter reads of each candidate: its reason and event type (null: no metadata). */
  const recorded = (candidates: readonly Candidate[]) =>
    Promise.all(candidates.map((candidate) => redis.send("HMGET", [keys.dlqMeta(candidate.key), "reason", "eventType"]) as Promise<(string | null)[]>));

  /** The candidates' details; undefined for one whose entry is gone (it is dropped from the index). */
  const details = (candidates: readonly Candidate[]) =>
    Promise.all(
      candidates.map(async (candidate): Promise<FoundEntry | undefined> => {
        const [meta, ttl, bytes] = await Promise.all([
          redis.send("HGETALL", [keys.dlqMeta(candidate.key)]),
          redis.send("PTTL", [candidate.key]),
          redis.send("STRLEN", [candidate.key]),
        ]);
        if (Number(ttl) === -2) {
          await index.forget(candidate.prefix, candidate.key);
          return undefined;
        }
        const expiresAt = Number(ttl) >= 0 ? now() + Number(ttl) : null;
        return { key: candidate.key, prefix: candidate.prefix, failedAt: candidate.failedAt, meta: toMeta(hashFields(meta)), expiresAt, bytes: Number(bytes) };
      }),
    );

  return {
    async search(filter, { after, limit }) {
      const at = now();
      await Promise.all(filter.prefixes.map((prefix) => index.stats(prefix, at, at)));
      const min = filter.failedFrom ?? Number.NEGATIVE_INFINITY;
      const max = filter.failedUntil ?? Number.POSITIVE_INFINITY;
      const byContent = filter.reason !== undefined || filter.eventType !== undefined;
      const isAfter = (candidate: Candidate) => after === undefined || compare(candidate, after) > 0;
      const items: FoundEntry[] = [];
      let more = false;
      let matched = byContent ? 0 : (await Promise.all(filter.prefixes.map((prefix) => index.count(prefix, min, max)))).reduce((sum, n) => sum + n, 0);
      // Without a content filter the count is known: start at the position. With one, every candidate is read to count it.
      const from = !byContent && after !== undefined ? Math.max(min, after.failedAt) : min;
      for await (const batch of batches(merged(index, filter.prefixes, from, max))) {
        let matching = batch;
        if (byContent) {
          const fields = await recorded(batch);
          matching = batch.filter((_, position) => matches(fields[position] ?? [], filter));
          matched += matching.length;
        }
        const wanted = matching.filter(isAfter);
        const room = limit - items.length;
        if (wanted.length > room) more = true;
        const found = await details(wanted.slice(0, Math.max(room, 0)));
        for (const entry of found) if (entry) items.push(entry);
        matched -= found.filter((entry) => entry === undefined).length;
        if (!byContent && items.length >= limit) {
          more ||= wanted.length > room || (await hasNext(index, filter.prefixes, items.at(-1) as FoundEntry, max));
          break;
        }
      }
      const last = items.at(-1);
      return { items, matched, next: more && last ? { failedAt: last.failedAt, key: last.key } : null };
    },
  };
}

interface Candidate extends IndexedMember {
  readonly prefix: string;
}

function matches([reason, eventType]: readonly (string | null)[], filter: SearchFilter): boolean {
  if (filter.reason !== undefined && !(reason ?? "").toLowerCase().includes(filter.reason.toLowerCase())) return false;
  if (filter.eventType !== undefined && eventType !== filter.eventType) return false;
  return reason !== null && reason !== undefined;
}

/** Index order: last failure, then key (as Redis orders equal scores). */
function compare(a: SearchPosition, b: SearchPosition): number {
  if (a.failedAt !== b.failedAt) return a.failedAt - b.failedAt;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Whether any prefix holds a member after `last` within the range. */
async function hasNext(index: DlqIndex, prefixes: readonly string[], last: SearchPosition, max: number): Promise<boolean> {
  for await (const candidate of merged(index, prefixes, last.failedAt, max)) if (compare(candidate, last) > 0) return true;
  return false;
}

/** Every prefix's members within [min, max] as one stream in index order, read a chunk at a time per prefix. */
async function* merged(index: DlqIndex, prefixes: readonly string[], min: number, max: number): AsyncGenerator<Candidate> {
  const readers = prefixes.map((prefix) => ({ prefix, offset: 0, buffer: [] as Candidate[], done: false }));
  for (;;) {
    for (const reader of readers) {
      if (reader.buffer.length > 0 || reader.done) continue;
      const members = await index.range(reader.prefix, min, max, reader.offset, CHUNK);
      reader.offset += members.length;
      reader.done = members.length < CHUNK;
      reader.buffer = members.map((member) => ({ ...member, prefix: reader.prefix }));
    }
    let next: (typeof readers)[number] | undefined;
    for (const reader of readers) {
      const head = reader.buffer[0];
      if (head && (!next || compare(head, next.buffer[0] as Candidate) < 0)) next = reader;
    }
    if (!next) return;
    yield next.buffer.shift() as Candidate;
  }
}

/** The stream in groups of CHUNK, so that each group's reads go out together. */
async function* batches(stream: AsyncIterable<Candidate>): AsyncGenerator<Candidate[]> {
  let batch: Candidate[] = [];
  for await (const candidate of stream) {
    batch.push(candidate);
    if (batch.length >= CHUNK) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
