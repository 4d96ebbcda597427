/**
 * The Redis stores behind the DLQ API, against a real Redis: the index's pruning (gone, set
 * again, PERSISTed), the search's order and paging across prefixes with many equal times, the
 * audit stream's cap, and the jobs' one-way end.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { AUDIT_MAX_ENTRIES, createAuditLog } from "../../../src/state/audit-log.ts";
import { createDlqIndex, NO_EXPIRY } from "../../../src/state/dlq-index.ts";
import { createDlqSearch, type SearchPosition } from "../../../src/state/dlq-search.ts";
import { keyScheme } from "../../../src/state/keys.ts";
import { connectRedis, type Redis } from "../../../src/state/redis.ts";
import { createReplayJobs } from "../../../src/state/replay-jobs.ts";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { uniqueName } from "../../support/testbed-env.ts";

let server: RedisInstance;
let redis: Redis;
let raw: RedisClient;

beforeAll(async () => {
  server = await startRedisServer();
  redis = connectRedis({ url: server.url, commandTimeoutMs: 5000 });
  raw = new RedisClient(server.url);
});

afterAll(async () => {
  redis?.close();
  raw?.close();
  await server?.kill();
});

const fresh = () => keyScheme(`${uniqueName("state")}:`);

describe("the DLQ index", () => {
  test("stats prune a member whose entry is gone, and correct the expiry of one set again or PERSISTed", async () => {
    const keys = fresh();
    const index = createDlqIndex({ redis, keys });
    const [gone, again, kept] = ["gone", "again", "kept"].map((id) => `${keys.namespace}dlq:menu:${id}`) as [string, string, string];
    const now = Date.now();
    await raw.send("SET", [again, "{}", "EX", "600"]);
    await raw.send("SET", [kept, "{}"]);
    // Every member's recorded expiry has passed; only `gone` is really gone.
    await index.addMissing(
      "dlq:menu:",
      [gone, again, kept].map((key) => ({ key, failedAt: now - 5000, expiresAt: now - 1000 })),
    );
    const stats = await index.stats("dlq:menu:", now, now + 3_600_000);
    expect(stats).toEqual({ entries: 2, oldestFailedAt: now - 5000, expiringSoon: 1 });
    expect(await raw.send("ZSCORE", [keys.dlqExpiry("dlq:menu:"), kept])).toBe(NO_EXPIRY);
    expect(Number(await raw.send("ZSCORE", [keys.dlqExpiry("dlq:menu:"), again]))).toBeGreaterThan(now + 500_000);
    expect(await index.forget("dlq:menu:", kept)).toBe(false);
    await raw.send("DEL", [kept]);
    expect(await index.forget("dlq:menu:", kept)).toBe(true);
    expect((await index.stats("dlq:menu:", now, now)).entries).toBe(1);
  });

  test("an empty prefix has no entries and no oldest failure", async () => {
    const index = createDlqIndex({ redis, keys: fresh() });
    expect(await index.stats("dlq:log:", Date.now(), Date.now())).toEqual({ entries: 0, oldestFailedAt: undefined, expiringSoon: 0 });
  });
});

describe("the DLQ search", () => {
  test("merges prefixes in (failure time, key) order and pages through 1,200 entries with equal times once each", async () => {
    const keys = fresh();
    const index = createDlqIndex({ redis, keys });
    const search = createDlqSearch({ redis, keys, index });
    const at = Date.now() - 60_000;
    const expiresAt = Date.now() + 3_600_000;
    const all: string[] = [];
    for (const prefix of ["dlq:menu:", "dlq:log:"]) {
      const members = Array.from({ length: 600 }, (_, n) => ({
        key: `${keys.namespace}${prefix}e${String(n).padStart(4, "0")}`,
        failedAt: at + (n % 3),
        expiresAt,
      }));
      for (let start = 0; start < members.length; start += 200) {
        await Promise.all(members.slice(start, start + 200).map((member) => raw.send("SET", [member.key, "[]", "EX", "3600"])));
      }
      await index.addMissing(prefix, members);
      all.push(...members.map((member) => member.key));
    }
    const order = (key: string) => Number(key.slice(-4)) % 3;
    const expected = [...all].sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
    const seen: string[] = [];
    let after: SearchPosition | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await search.search({ prefixes: ["dlq:menu:", "dlq:log:"] }, { after, limit: 500 });
      expect(result.matched).toBe(1200);
      seen.push(...result.items.map((item) => item.key));
      if (result.next === null) break;
      after = result.next;
    }
    expect(seen).toEqual(expected);
  });
});

describe("the audit stream", () => {
  test("is capped near 10,000 entries, the newest kept", async () => {
    const keys = fresh();
    const log = createAuditLog({ redis, keys });
    const record = { at: new Date().toISOString(), actor: "a", action: "dlq.delete", target: "k", outcome: "ok" as const, status: 200, detail: null };
    for (let start = 0; start < AUDIT_MAX_ENTRIES + 500; start += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, n) => log.append({ ...record, target: `k${start + n}` })));
    }
    const length = Number(await raw.send("XLEN", [keys.audit]));
    expect(length).toBeGreaterThanOrEqual(AUDIT_MAX_ENTRIES);
    expect(length).toBeLessThan(AUDIT_MAX_ENTRIES + 500);
    const [newest] = (await log.read({ limit: 1 })).items;
    expect(newest).toMatchObject({ actor: "a", action: "dlq.delete", target: `k${AUDIT_MAX_ENTRIES + 499}`, outcome: "ok", status: 200, detail: null });
  });
});

describe("replay jobs", () => {
  test("end once: a finished or cancelled job stays as it ended; a heartbeat says the state", async () => {
    const jobs = createReplayJobs({ redis, keys: fresh() });
    const createdAt = new Date().toISOString();
    await jobs.create({ id: "j-1", actor: "alice", instance: "i-1", createdAt, filters: { prefix: "dlq:menu:" }, total: 2 });
    expect(await jobs.heartbeat("j-1", createdAt)).toBe("running");
    await jobs.recordItem("j-1", { key: "k1", status: 200, outcome: "retried", published: true });
    await jobs.recordItem("j-1", { key: "k2", status: 502, outcome: "failed", error: "upstream failed" });
    expect(await jobs.end("j-1", "cancelled", createdAt)).toBe("running");
    expect(await jobs.end("j-1", "partial", createdAt)).toBe("cancelled");
    expect(await jobs.heartbeat("j-1", createdAt)).toBe("cancelled");
    expect(await jobs.get("j-1")).toMatchObject({ state: "cancelled", done: 1, failed: 1, total: 2, filters: { prefix: "dlq:menu:" }, finishedAt: createdAt });
    expect((await jobs.items("j-1")).map((item) => item.key)).toEqual(["k1", "k2"]);
    expect(await jobs.end("j-none", "cancelled", createdAt)).toBeUndefined();
    expect(await jobs.heartbeat("j-none", createdAt)).toBeUndefined();
    expect((await jobs.list(50)).map((job) => job.id)).toEqual(["j-1"]);
  });
});
