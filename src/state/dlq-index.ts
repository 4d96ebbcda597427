/**
 * The DLQ index: per DLQ prefix, two sorted sets over the same members (the entries' keys), one
 * by last failure (`dlq-index:<prefix>`), one by expiry (`dlq-expiry:<prefix>`). The script that
 * writes an entry adds it (dlq-store.ts), delete and retry take it out (dlq-entries.ts), a SCAN at
 * start adds what the Go processor wrote (dlq-backfill.ts). Listing, searching and the DLQ metrics
 * read only these sets, never the keyspace. A member whose entry Redis dropped (its TTL passed) is
 * pruned when met: by expiry score in `stats`, one by one in `forget`.
 */
import type { KeyScheme } from "./keys.ts";
import type { Redis } from "./redis.ts";

/** The expiry score of an entry without an expiry (a key someone PERSISTed): the largest date. */
export const NO_EXPIRY = 8_640_000_000_000_000;

/** Members whose expiry passed, checked per `stats` call and prefix at most (the rest wait for the next call). */
const PRUNE_BATCH = 1000;

/**
 * KEYS[1] the prefix's index by last failure, KEYS[2] its index by expiry.
 * ARGV[1] now (epoch ms), ARGV[2] "expiring soon" limit (epoch ms), ARGV[3] most members to check,
 * ARGV[4] the NO_EXPIRY score.
 * Members whose expiry score passed are looked at: gone → removed from both sets; still there (set
 * again, or PERSISTed) → their expiry score is corrected from PTTL. These entry keys are not in
 * KEYS: they are only known from the set (standalone Redis; a cluster would need one slot).
 * Returns {entries, oldest lastFailedAt score or "", entries expiring before ARGV[2], pruned}.
 */
const STATS_SCRIPT = `
local due = redis.call('ZRANGE', KEYS[2], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
local pruned = 0
for _, key in ipairs(due) do
  local ttl = redis.call('PTTL', key)
  if ttl == -2 then
    redis.call('ZREM', KEYS[1], key)
    redis.call('ZREM', KEYS[2], key)
    pruned = pruned + 1
  elseif ttl == -1 then
    redis.call('ZADD', KEYS[2], ARGV[4], key)
  else
    redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) + ttl, key)
  end
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {redis.call('ZCARD', KEYS[1]), oldest[2] or '', redis.call('ZCOUNT', KEYS[2], '-inf', ARGV[2]), pruned}
`;

/**
 * KEYS[1] index by last failure, KEYS[2] index by expiry, KEYS[3] the entry.
 * Removes the member from both sets when the entry no longer exists. Returns 1 when removed, else 0.
 */
const FORGET_SCRIPT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('ZREM', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], KEYS[3])
return 1
`;

export interface IndexedMember {
  readonly key: string;
  /** Its index score: the entry's last failure, epoch ms (estimated from the TTL for the Go processor's entries). */
  readonly failedAt: number;
}

export interface PrefixStats {
  readonly entries: number;
  /** The oldest last failure among the entries, epoch ms; undefined when there is none. */
  readonly oldestFailedAt: number | undefined;
  /** Entries whose expiry comes before the limit given. */
  readonly expiringSoon: number;
}

export interface DlqIndex {
  /** Prunes members whose entry expired, then counts the prefix's entries, its oldest failure and those expiring before `soonUntil` (epoch ms). */
  stats(prefix: string, now: number, soonUntil: number): Promise<PrefixStats>;
  /** Members whose last failure is within [min, max] (epoch ms; ±Infinity for no bound). */
  count(prefix: string, min: number, max: number): Promise<number>;
  /** Members whose last failure is within [min, max], oldest first (equal scores by key), `count` of them from `offset`. */
  range(prefix: string, min: number, max: number, offset: number, count: number): Promise<IndexedMember[]>;
  /** Drops `key` from the prefix's index when its entry is gone; true when it was dropped. */
  forget(prefix: string, key: string): Promise<boolean>;
  /** Which of `keys` the prefix's index holds, in order. */
  holds(prefix: string, keys: readonly string[]): Promise<boolean[]>;
  /** Adds the members it does not hold yet (a member it holds keeps its scores); the number added. */
  addMissing(prefix: string, members: readonly { key: string; failedAt: number; expiresAt: number }[]): Promise<number>;
}

export function createDlqIndex(params: { redis: Redis; keys: KeyScheme }): DlqIndex {
  const { redis, keys } = params;
  const sets = (prefix: string) => [keys.dlqIndex(prefix), keys.dlqExpiry(prefix)];
  return {
    async stats(prefix, now, soonUntil) {
      let answer: unknown[];
      // A mass expiry is pruned a batch per call; a few calls here keep the counts right after one.
      for (let round = 0; ; round++) {
        answer = (await redis.script(STATS_SCRIPT, sets(prefix), [String(now), String(soonUntil), String(PRUNE_BATCH), String(NO_EXPIRY)])) as unknown[];
        if (Number(answer[3]) < PRUNE_BATCH || round >= 9) break;
      }
      const oldest = String(answer[1] ?? "");
      return { entries: Number(answer[0]), oldestFailedAt: oldest === "" ? undefined : Number(oldest), expiringSoon: Number(answer[2]) };
    },
    async count(prefix, min, max) {
      return Number(await redis.send("ZCOUNT", [keys.dlqIndex(prefix), bound(min), bound(max)]));
    },
    async range(prefix, min, max, offset, count) {
      const reply = await redis.send("ZRANGE", [
        keys.dlqIndex(prefix),
        bound(min),
        bound(max),
        "BYSCORE",
        "LIMIT",
        String(offset),
        String(count),
        "WITHSCORES",
      ]);
      return withScores(reply);
    },
    async forget(prefix, key) {
      return Number(await redis.script(FORGET_SCRIPT, [...sets(prefix), key], [])) === 1;
    },
    async holds(prefix, keysToCheck) {
      if (keysToCheck.length === 0) return [];
      const scores = (await redis.send("ZMSCORE", [keys.dlqIndex(prefix), ...keysToCheck])) as unknown[];
      return scores.map((score) => score !== null && score !== undefined);
    },
    async addMissing(prefix, members) {
      if (members.length === 0) return 0;
      const [index, expiry] = sets(prefix) as [string, string];
      const [added] = await Promise.all([
        redis.send("ZADD", [index, "NX", ...members.flatMap((member) => [String(member.failedAt), member.key])]),
        redis.send("ZADD", [expiry, "NX", ...members.flatMap((member) => [String(member.expiresAt), member.key])]),
      ]);
      return Number(added);
    },
  };
}

/** A score bound as Redis writes it. */
function bound(score: number): string {
  if (score === Number.POSITIVE_INFINITY) return "+inf";
  if (score === Number.NEGATIVE_INFINITY) return "-inf";
  return String(score);
}

/** ZRANGE … WITHSCORES: pairs (RESP3) or a flat member, score list (RESP2). */
function withScores(reply: unknown): IndexedMember[] {
  if (!Array.isArray(reply)) return [];
  if (reply.length > 0 && Array.isArray(reply[0])) return reply.map(([key, score]) => ({ key: String(key), failedAt: Number(score) }));
  const members: IndexedMember[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) members.push({ key: String(reply[i]), failedAt: Number(reply[i + 1]) });
  return members;
}
