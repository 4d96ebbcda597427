/**
 * GET /dlq/entries and the DLQ metrics over real HTTP, from the index the relay keeps in Redis:
 * the one backfill at start (entries the Go processor wrote), the entries the relay writes, what
 * delete and retry take out, stale members pruned, filters, paging, and no keyspace SCAN per
 * scrape. Also GET /dlq?cursor=0&count=1, which pages SCAN until it has an entry.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { type HoBomBackendDouble, startHoBomBackend } from "../../support/backends/index.ts";
import { dlqClient, GO_DLQ_TTL_SECONDS, http, parsePrometheus, sampleValue } from "../../support/http-client.ts";
import { createTopics } from "../../support/kafka-topics.ts";
import { inspectRedis, type RedisInspector } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

const HOUR = 3600;
let hobom: HoBomBackendDouble;
let privateRedis: RedisInstance;
let client: RedisClient;
let setup: RelayTestSetup;
let relay: RelayProcess;
let redis: RedisInspector;
let ns: string;
/** Entries written as the Go processor wrote them, before the relay started (so only the backfill can index them). */
const go = { old: "", fresh: "", log: "", expiring: "", gone: "" };
/** An entry with the relay's metadata written before the index existed: failed first 10 days ago, last 9 days ago. */
let legacyKey = "";
const DAY_MS = 24 * HOUR * 1000;
const legacyFirst = new Date(Date.now() - 10 * DAY_MS).toISOString();
const legacyLast = new Date(Date.now() - 9 * DAY_MS).toISOString();

const api = () => dlqClient(relay);
const scrape = async () => parsePrometheus((await http(relay.httpUrl, "GET", "/metrics")).text);

beforeAll(async () => {
  [hobom, privateRedis] = await Promise.all([startHoBomBackend({ apiKey: TEST_API_KEY }), startRedisServer()]);
  setup = relayTestSetup({ hobom, redisUrl: privateRedis.url });
  ns = setup.namespace;
  await createTopics(testbedEnv().kafkaBrokers, [setup.topics.messages]);
  client = new RedisClient(privateRedis.url);
  redis = inspectRedis(privateRedis.url, ns);
  const value = JSON.stringify({ type: "MAIL_MESSAGE", title: "t", body: "b", recipient: "r", senderId: "", sentAt: "2026-11-23T14:05:00Z" });
  Object.assign(go, {
    old: `${ns}dlq:menu:go-old`,
    fresh: `${ns}dlq:menu:go-fresh`,
    log: `${ns}dlq:log:go-log`,
    expiring: `${ns}dlq:menu:go-expiring`,
    gone: `${ns}dlq:menu:go-gone`,
  });
  // Written 71 h ago (1 h of its 72 left), and just now.
  await client.send("SET", [go.old, value, "EX", String(HOUR)]);
  await client.send("SET", [go.fresh, value, "EX", String(GO_DLQ_TTL_SECONDS)]);
  await client.send("SET", [go.log, "[]", "EX", String(GO_DLQ_TTL_SECONDS)]);
  await client.send("SET", [go.expiring, value, "EX", String(GO_DLQ_TTL_SECONDS)]);
  await client.send("SET", [go.gone, value, "EX", String(GO_DLQ_TTL_SECONDS)]);
  legacyKey = `${ns}dlq:menu:legacy`;
  await client.send("SET", [legacyKey, value, "EX", String(GO_DLQ_TTL_SECONDS)]);
  await client.send("HSET", [
    `${ns}dlqmeta:dlq:menu:legacy`,
    ...["pipeline", "message", "eventId", "legacy", "eventType", "MESSAGE", "reason", "Kafka refused: RECORD_TOO_LARGE", "attempts", "2"],
    ...["firstFailedAt", legacyFirst, "lastFailedAt", legacyLast, "replayable", "1", "topic", setup.topics.messages],
  ]);
  relay = await startRelayProcess(setup.env);
  await relay.waitForLog((line) => line.msg === "DLQ index backfilled");
});

afterAll(async () => {
  client?.close();
  redis?.close();
  await killAllRelays();
  hobom?.stop();
  await privateRedis?.kill();
});

describe("the index", () => {
  test("the backfill at start added every entry it did not hold, and logged how many", () => {
    const line = relay.logs.find((entry) => entry.msg === "DLQ index backfilled");
    expect(line).toMatchObject({ level: "info", scanned: 6, added: 6 });
  });

  test("an entry the Go processor wrote is listed with its pipeline and eventId from its key, nulls, 0 attempts and a last failure estimated from its TTL", async () => {
    const answer = await api().entries({ prefix: `${ns}dlq:menu:` });
    expect(answer.status).toBe(200);
    const old = (answer.body.items as { key: string }[]).find((item) => item.key === go.old);
    expect(old).toMatchObject({
      pipeline: "message",
      eventId: "go-old",
      eventType: null,
      reason: null,
      attempts: 0,
      firstFailedAt: null,
      replayable: true,
      topic: null,
    });
    const expiresIn = Date.parse((old as unknown as { expiresAt: string }).expiresAt) - Date.now();
    const failedAgo = Date.now() - Date.parse((old as unknown as { lastFailedAt: string }).lastFailedAt);
    expect(expiresIn).toBeGreaterThan((HOUR - 120) * 1000);
    expect(expiresIn).toBeLessThanOrEqual(HOUR * 1000);
    // Expiry − 72 h: written 71 h ago.
    expect(Math.abs(failedAgo - 71 * HOUR * 1000)).toBeLessThan(120_000);
    expect((old as unknown as { bytes: number }).bytes).toBe((await redis.get(go.old))?.length ?? -1);
  });

  test("an entry with the relay's metadata written before the index existed keeps its recorded times", async () => {
    const answer = await api().entries({ reason: "record_too_large" });
    expect(answer.body).toMatchObject({ matched: 1, nextCursor: null });
    expect(answer.body.items[0]).toMatchObject({
      key: legacyKey,
      pipeline: "message",
      eventId: "legacy",
      eventType: "MESSAGE",
      reason: "Kafka refused: RECORD_TOO_LARGE",
      attempts: 2,
      firstFailedAt: legacyFirst,
      lastFailedAt: legacyLast,
      topic: setup.topics.messages,
    });
  });

  test("an entry the relay writes is indexed as it is written, with its metadata", async () => {
    const row = hobom.messages.add({ payload: null });
    await eventually(() => row.status === "FAILED");
    const answer = await api().entries({ eventType: "MESSAGE", reason: "HAS NO PAYLOAD" });
    expect(answer.body.matched).toBe(1);
    expect(answer.body.items[0]).toMatchObject({
      key: `${ns}dlq:menu:${row.eventId}`,
      pipeline: "message",
      eventId: row.eventId,
      attempts: 1,
      replayable: false,
    });
    expect(Date.now() - Date.parse(answer.body.items[0].lastFailedAt)).toBeLessThan(60_000);
  });

  test("a delete takes the entry out of the index (a retry too: dlq-retry.test.ts); an entry deleted behind the API's back is dropped when met", async () => {
    const before = (await api().entries({ prefix: `${ns}dlq:menu:` })).body.matched as number;
    expect((await api().remove(go.fresh)).status).toBe(200);
    await client.send("DEL", [go.gone]);
    const after = await api().entries({ prefix: `${ns}dlq:menu:`, limit: "500" });
    const keys = (after.body.items as { key: string }[]).map((item) => item.key);
    expect(keys).not.toContain(go.fresh);
    expect(keys).not.toContain(go.gone);
    // The delete is taken out at once; the stray DEL when the listing met it (this page holds every entry).
    expect(after.body.matched).toBe(before - 2);
    expect((await api().entries({ prefix: `${ns}dlq:menu:` })).body.matched).toBe(before - 2);
    expect(await client.send("ZSCORE", [`${ns}dlq-index:dlq:menu:`, go.gone])).toBeNull();
  });

  test("an entry Redis dropped when its TTL passed is pruned when met: neither listed, counted nor in the metrics", async () => {
    // Its TTL ends now, long before the expiry the index recorded (pruning by that is in dlq-state.test.ts).
    await client.send("PEXPIRE", [go.expiring, "1"]);
    await eventually(async () => (await client.send("EXISTS", [go.expiring])) === 0);
    const answer = await api().entries({ prefix: `${ns}dlq:menu:`, limit: "500" });
    expect((answer.body.items as { key: string }[]).map((item) => item.key)).not.toContain(go.expiring);
    expect(await client.send("ZSCORE", [`${ns}dlq-index:dlq:menu:`, go.expiring])).toBeNull();
    expect(await client.send("ZSCORE", [`${ns}dlq-expiry:dlq:menu:`, go.expiring])).toBeNull();
  });
});

describe("GET /dlq/entries filters and pages", () => {
  test("pipeline and prefix, age and event type filter; matched counts every match", async () => {
    const logOnly = await api().entries({ pipeline: "log" });
    expect(logOnly.body.items.map((item: { key: string }) => item.key)).toEqual([go.log]);
    expect((await api().entries({ prefix: `${ns}dlq:log:` })).body.items.map((item: { key: string }) => item.key)).toEqual([go.log]);
    expect((await api().entries({ olderThan: "70h" })).body.items.map((item: { key: string }) => item.key)).toEqual([legacyKey, go.old]);
    const recent = await api().entries({ newerThan: "1h" });
    expect(recent.body.items.every((item: { lastFailedAt: string }) => Date.now() - Date.parse(item.lastFailedAt) <= HOUR * 1000)).toBe(true);
    expect((await api().entries({ eventType: "HOBOM_LOG" })).body).toEqual({ items: [], nextCursor: null, matched: 0 });
    const all = await api().entries();
    expect(all.body.matched).toBe(all.body.items.length);
    // Oldest last failure first.
    const times = all.body.items.map((item: { lastFailedAt: string }) => Date.parse(item.lastFailedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  test("limit and cursor page through every match once, in order, with the same matched on every page", async () => {
    for (let i = 0; i < 5; i++) hobom.messages.add({ payload: null });
    await eventually(async () => (await api().entries({ reason: "no payload" })).body.matched >= 6);
    const whole = await api().entries({ reason: "no payload", limit: "500" });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await api().entries({ reason: "no payload", limit: "2", ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      expect(page.body.matched).toBe(whole.body.matched);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item: { key: string }) => item.key));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 50);
    expect(seen).toEqual(whole.body.items.map((item: { key: string }) => item.key));
    expect(pages).toBe(Math.ceil(whole.body.matched / 2));
  });

  test("a bad filter is a 400 naming it, and what is accepted", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ pipeline: "nope" }, "invalid pipeline"],
      [{ prefix: `${ns}dlq:nope:` }, "invalid prefix"],
      [{ pipeline: "message", prefix: `${ns}dlq:menu:` }, "invalid query"],
      [{ olderThan: "2 hours" }, "invalid olderThan"],
      [{ newerThan: "5w" }, "invalid newerThan"],
      [{ olderThan: "2d", newerThan: "1d" }, "invalid query"],
      [{ limit: "0" }, "invalid limit"],
      [{ limit: "501" }, "invalid limit"],
      [{ cursor: "not-a-cursor" }, "invalid cursor"],
    ];
    for (const [query, error] of cases) {
      const answer = await api().entries(query);
      expect({ query, status: answer.status, error: answer.body.error }).toEqual({ query, status: 400, error });
      expect(answer.body.detail).toBeString();
    }
  });
});

describe("the DLQ metrics come from the index", () => {
  test("entries, the oldest entry's age and entries expiring within a day, per prefix, with no SCAN per scrape", async () => {
    const scans = async () => Number(/cmdstat_scan:calls=(\d+)/.exec(String(await client.send("INFO", ["commandstats"])))?.[1] ?? 0);
    const before = await scans();
    const samples = await scrape();
    expect(await scans()).toBe(before);
    const menu = `${ns}dlq:menu:`;
    const listed = (await api().entries({ prefix: menu, limit: "500" })).body;
    expect(sampleValue(samples, "hobom_dlq_entries", { prefix: menu })).toBe(listed.matched);
    // The oldest is the legacy entry, last failed 9 days ago.
    const age = sampleValue(samples, "hobom_dlq_oldest_entry_age_seconds", { prefix: menu }) ?? 0;
    expect(Math.abs(age - (Date.now() - Date.parse(legacyLast)) / 1000)).toBeLessThan(120);
    // go-old has 1 h left; the others 72 h.
    expect(sampleValue(samples, "hobom_dlq_entries_expiring_soon", { prefix: menu })).toBe(1);
    expect(sampleValue(samples, "hobom_dlq_entries", { prefix: `${ns}dlq:log:` })).toBe(1);
    for (const prefix of ["dlq:space:", "dlq:law:", "dlq:angel:"]) {
      expect(sampleValue(samples, "hobom_dlq_entries", { prefix: `${ns}${prefix}` })).toBe(0);
      expect(sampleValue(samples, "hobom_dlq_oldest_entry_age_seconds", { prefix: `${ns}${prefix}` })).toBe(0);
      expect(sampleValue(samples, "hobom_dlq_entries_expiring_soon", { prefix: `${ns}${prefix}` })).toBe(0);
    }
  });
});

describe("GET /dlq with a cursor", () => {
  test("?cursor=0&count=1 pages SCAN until it has an entry: no empty page before the end", async () => {
    // Many keys that are not entries, so that most SCAN pages hold none.
    const noise = Array.from({ length: 3000 }, (_, index) => `${ns}noise:${index}`);
    for (let start = 0; start < noise.length; start += 500) await Promise.all(noise.slice(start, start + 500).map((key) => client.send("SET", [key, "x"])));
    const wanted = (await redis.keys("dlq:*")).filter((key) => /dlq:(menu|log):/.test(key));
    const seen = new Set<string>();
    let cursor = "0";
    let pages = 0;
    do {
      const page = await api().list({ cursor, count: "1" });
      expect(page.status).toBe(200);
      if (page.body.nextCursor !== "0") expect(page.body.items.length).toBeGreaterThanOrEqual(1);
      for (const key of page.body.items) seen.add(key);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== "0" && pages < 10_000);
    expect([...seen].sort()).toEqual(wanted.sort());
  });
});
