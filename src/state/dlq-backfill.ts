/**
 * The one SCAN over the DLQ keys that adds to the index what it does not hold: entries the Go
 * processor wrote (value only), and any written before the index existed. Run once at start;
 * afterwards the index is kept by the writes, deletes and retries themselves.
 */
import { isEntryKey } from "./dlq-entries.ts";
import type { DlqIndex } from "./dlq-index.ts";
import { NO_EXPIRY } from "./dlq-index.ts";
import type { KeyScheme } from "./keys.ts";
import type { Redis } from "./redis.ts";

/** What the Go processor gave every entry (`SET key value EX 259200`): its last failure is estimated as expiry − 72 h. */
export const GO_DLQ_TTL_SECONDS = 259_200;

/** Keys per SCAN page. */
const PAGE = 1000;

export interface BackfillReport {
  /** DLQ keys seen. */
  readonly scanned: number;
  /** Of those, the ones the index did not hold and now does. */
  readonly added: number;
}

/** Adds every entry under `prefixes` (without the namespace) that the index lacks. */
export async function backfillDlqIndex(params: {
  redis: Redis;
  keys: KeyScheme;
  index: DlqIndex;
  prefixes: readonly string[];
  now?: () => number;
}): Promise<BackfillReport> {
  const { redis, keys, index, now = Date.now } = params;
  const namespaced = params.prefixes.map((prefix) => `${keys.namespace}${prefix}`);
  const pattern = `${keys.namespace.replace(/[*?[\]\\]/g, "\\$&")}dlq:*`;
  let cursor = "0";
  let scanned = 0;
  let added = 0;
  do {
    const [next, found] = (await redis.send("SCAN", [cursor, "MATCH", pattern, "COUNT", String(PAGE)])) as [unknown, unknown[]];
    cursor = String(next);
    const entries = found.map(String).filter((key) => isEntryKey(key, namespaced));
    scanned += entries.length;
    for (const [prefix, group] of byPrefix(entries, keys)) {
      const held = await index.holds(prefix, group);
      const missing = group.filter((_, position) => !held[position]);
      if (missing.length === 0) continue;
      const at = now();
      const facts = await Promise.all(
        missing.map(async (key) => {
          const [ttl, lastFailedAt] = await Promise.all([redis.send("PTTL", [key]), redis.send("HGET", [keys.dlqMeta(key), "lastFailedAt"])]);
          return { key, ttlMs: Number(ttl), lastFailedAt: lastFailedAt === null || lastFailedAt === undefined ? undefined : String(lastFailedAt) };
        }),
      );
      const members = facts.filter((fact) => fact.ttlMs !== -2).map((fact) => memberOf(fact, at));
      added += await index.addMissing(prefix, members);
    }
  } while (cursor !== "0");
  return { scanned, added };
}

/** The index scores of one entry: its recorded last failure, or one estimated from its TTL. */
function memberOf(fact: { key: string; ttlMs: number; lastFailedAt: string | undefined }, now: number) {
  const expiresAt = fact.ttlMs >= 0 ? now + fact.ttlMs : NO_EXPIRY;
  const recorded = fact.lastFailedAt === undefined ? Number.NaN : Date.parse(fact.lastFailedAt);
  const estimated = fact.ttlMs >= 0 ? Math.min(now, expiresAt - GO_DLQ_TTL_SECONDS * 1000) : now;
  return { key: fact.key, failedAt: Number.isNaN(recorded) ? estimated : recorded, expiresAt };
}

function byPrefix(entries: readonly string[], keys: KeyScheme): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of entries) {
    const prefix = keys.dlqPrefixOf(key);
    if (prefix === undefined) continue;
    const group = groups.get(prefix) ?? [];
    group.push(key);
    groups.set(prefix, group);
  }
  return groups;
}
