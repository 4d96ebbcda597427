/**
 * The DLQ API over real HTTP (contracts, section 5, and issue 4): listing with SCAN paging under
 * every prefix, reading entries the Go processor wrote and entries the relay wrote with their
 * metadata, deleting, the api key, and every kind of bad request, none of which changes anything.
 * Retries are in dlq-retry.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { RedisClient } from "bun";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { type HoBomBackendDouble, logPayload, startHoBomBackend } from "../../support/backends/index.ts";
import { DLQ_BASE, dlqClient, GO_DLQ_TTL_SECONDS, http, redisSnapshot, writeGoEntry } from "../../support/http-client.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis, type RedisInspector } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY, TEST_INTERNAL_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

const PREFIXES = ["dlq:menu:", "dlq:log:", "dlq:space:", "dlq:space-log:", "dlq:law:", "dlq:angel:", "dlq:angel-log:"] as const;
const MARK_SENT = "PatchOutboxMarkAsSentUseCase";

let hobom: HoBomBackendDouble;
// A private Redis (never stopped here) keeps SCAN pages small and deterministic.
let privateRedis: RedisInstance;
let setup: RelayTestSetup;
let relay: RelayProcess;
let redis: RedisInspector;
let ns: string;

beforeAll(async () => {
  [hobom, privateRedis] = await Promise.all([startHoBomBackend({ apiKey: TEST_API_KEY }), startRedisServer()]);
  setup = relayTestSetup({ hobom, redisUrl: privateRedis.url });
  ns = setup.namespace;
  relay = await startRelayProcess(setup.env);
  redis = inspectRedis(privateRedis.url, ns);
});

afterEach(async () => {
  hobom.reset();
  // Each test starts from an empty DLQ; only this file's namespace in this file's Redis is touched.
  const client = new RedisClient(privateRedis.url);
  try {
    const keys = [...(await redis.keys("dlq*")), ...(await redis.keys("sent:*"))];
    if (keys.length > 0) await client.send("DEL", keys);
  } finally {
    client.close();
  }
});

afterAll(async () => {
  redis?.close();
  await killAllRelays();
  hobom?.stop();
  await privateRedis?.stop();
});

const api = () => dlqClient(relay);
const menuKey = (eventId: string = crypto.randomUUID()) => `${ns}dlq:menu:${eventId}`;
const MESSAGE_VALUE = '{"type":"MAIL_MESSAGE","title":"Welcome","body":"Hello","recipient":"user@example.com","senderId":"","sentAt":"2026-11-23T14:05:00Z"}';

describe("GET /dlq lists entries with SCAN", () => {
  test("lists the entries under every prefix, angel ones included, and no key that is not an entry", async () => {
    const entries = PREFIXES.map((prefix) => `${ns}${prefix}${crypto.randomUUID()}`);
    for (const key of entries) await writeGoEntry(redis, key, '{"a":1}');
    // Keys that live beside the entries but are not entries, and another relay's entry.
    for (const stray of [
      `${ns}dlqmeta:dlq:menu:x`,
      `${ns}dlqlock:dlq:menu:x`,
      `${ns}sent:message:x`,
      `${ns}dlq:menu:not*an-id`,
      `${ns}dlq:unknown:x`,
      `other-ns:dlq:menu:x`,
    ]) {
      await writeGoEntry(redis, stray, "{}");
    }

    const all = await api().list();
    expect(all.status).toBe(200);
    expect([...all.body.items].sort()).toEqual([...entries].sort());
    expect(all.body.nextCursor).toBe("0");

    for (const [index, prefix] of PREFIXES.entries()) {
      const one = await api().list({ prefix: `${ns}${prefix}` });
      expect({ prefix, status: one.status, items: one.body.items }).toEqual({ prefix, status: 200, items: [entries[index]] });
    }
  });

  test("an empty DLQ answers 200 with no items", async () => {
    const answer = await api().list();
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ items: [], nextCursor: "0" });
  });

  test("?cursor= and ?count= page through every entry; the last page's nextCursor is 0", async () => {
    const keys = Array.from({ length: 40 }, () => `${ns}dlq:space:${crypto.randomUUID()}`);
    for (const key of keys) await writeGoEntry(redis, key, '{"entityType":"PAGE"}');
    await writeGoEntry(redis, menuKey(), MESSAGE_VALUE);

    const seen = new Set<string>();
    let cursor = "0";
    let pages = 0;
    do {
      const page = await api().list({ prefix: `${ns}dlq:space:`, cursor, count: "5" });
      expect(page.status).toBe(200);
      expect(page.body.nextCursor).toMatch(/^\d+$/);
      for (const key of page.body.items as string[]) seen.add(key);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== "0" && pages < 1000);

    expect(cursor).toBe("0");
    expect(pages).toBeGreaterThan(1);
    expect([...seen].sort()).toEqual([...keys].sort());

    const whole = await api().list({ prefix: `${ns}dlq:space:` });
    expect([...whole.body.items].sort()).toEqual([...keys].sort());
    expect(whole.body.nextCursor).toBe("0");
  });

  test("a listing without a cursor stops near 10,000 entries with a nextCursor from which every other entry can still be listed", async () => {
    const total = 10_500;
    const keys = Array.from({ length: total }, (_, index) => `${ns}dlq:log:e${index}`);
    // Entries under another prefix make SCAN pages return varying numbers of the listed ones,
    // as in a real DLQ, so the cut does not fall on a page boundary by luck.
    const others = Array.from({ length: 5000 }, (_, index) => `${ns}dlq:menu:e${index}`);
    const client = new RedisClient(privateRedis.url);
    try {
      const all = [...keys, ...others];
      for (let start = 0; start < all.length; start += 1000) {
        await Promise.all(all.slice(start, start + 1000).map((key) => client.send("SET", [key, "[]", "EX", String(GO_DLQ_TTL_SECONDS)])));
      }
    } finally {
      client.close();
    }

    const first = await api().list({ prefix: `${ns}dlq:log:` });
    expect(first.status).toBe(200);
    const seen = new Set<string>(first.body.items);
    // Whatever the first answer holds, following nextCursor to "0" must bring every other entry.
    let cursor: string = first.body.nextCursor;
    let pages = 0;
    while (cursor !== "0" && pages++ < 1000) {
      const page = await api().list({ prefix: `${ns}dlq:log:`, cursor, count: "1000" });
      expect(page.status).toBe(200);
      for (const key of page.body.items as string[]) seen.add(key);
      cursor = page.body.nextCursor;
    }
    expect(keys.filter((key) => !seen.has(key))).toEqual([]);
  });

  test("an unknown prefix, a cursor that is not a number or a count out of range is a 400", async () => {
    for (const query of [{ prefix: "bogus" }, { prefix: `${ns}dlq:nope:` }, { prefix: `${ns}dlq:*` }, { prefix: "other-ns:dlq:menu:" }]) {
      const answer = await api().list(query);
      expect({ query, status: answer.status, error: answer.body?.error }).toEqual({ query, status: 400, error: "invalid prefix" });
    }
    const badPaging: Record<string, string>[] = [{ cursor: "abc" }, { cursor: "-1" }, { count: "0" }, { count: "1001" }, { count: "ten" }];
    for (const query of badPaging) {
      const answer = await api().list(query);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(answer.body.error).toStartWith("invalid ");
    }
  });
});

describe("with the default empty namespace (the Go processor's keys)", () => {
  test("?prefix=dlq:menu: lists dlq:menu:<eventId>, and GET, retry and DELETE take the bare keys", async () => {
    await createTopics(testbedEnv().kafkaBrokers, [setup.topics.messages]);
    const goRelay = await startRelayProcess({ ...setup.env, HOBOM_REDIS_KEY_PREFIX: "" });
    const bare = inspectRedis(privateRedis.url, "");
    const row = hobom.messages.add({ payload: null, status: "FAILED" });
    const retryKey = `dlq:menu:${row.eventId}`;
    const deleteKey = `dlq:log:${crypto.randomUUID()}`;
    try {
      await writeGoEntry(bare, retryKey, MESSAGE_VALUE);
      await writeGoEntry(bare, deleteKey, "[]");
      const go = dlqClient(goRelay);

      expect((await go.list({ prefix: "dlq:menu:" })).body).toEqual({ items: [retryKey], nextCursor: "0" });
      expect((await go.list()).body.items.sort()).toEqual([deleteKey, retryKey].sort());
      expect((await go.get(retryKey)).body.item).toEqual(JSON.parse(MESSAGE_VALUE));
      // The namespaced relay does not see them, nor they its entries.
      expect((await api().get(retryKey)).status).toBe(400);

      const retried = await go.retry(retryKey);
      expect(retried.status).toBe(200);
      expect(retried.body.message).toBe("DLQ retried and removed from Redis");
      expect(row.status).toBe("SENT");
      const records = (await readTopic(testbedEnv().kafkaBrokers, setup.topics.messages)).filter((record) => record.key === row.eventId);
      expect(records.map((record) => record.value)).toEqual([MESSAGE_VALUE]);

      expect((await go.remove(deleteKey)).status).toBe(200);
      expect((await go.list()).body.items).toEqual([]);
    } finally {
      const client = new RedisClient(privateRedis.url);
      await client.send("DEL", [retryKey, deleteKey, `sent:message:${row.eventId}`]);
      client.close();
      bare.close();
      await goRelay.kill();
    }
  });
});

describe("GET /dlq/:key", () => {
  test("returns an entry the Go processor wrote (value only, EX 259200) as item, with no metadata; colons raw or URL-encoded", async () => {
    const key = menuKey();
    await writeGoEntry(redis, key, MESSAGE_VALUE);

    const raw = await api().get(key);
    expect(raw.status).toBe(200);
    expect(raw.body.item).toEqual(JSON.parse(MESSAGE_VALUE));
    expect(raw.body.meta).toBeNull();
    expect(raw.body.expiresInSeconds).toBeGreaterThan(GO_DLQ_TTL_SECONDS - 60);
    expect(raw.body.expiresInSeconds).toBeLessThanOrEqual(GO_DLQ_TTL_SECONDS);

    const encoded = await api().get(encodeURIComponent(key));
    expect(encoded.status).toBe(200);
    expect(encoded.body.item).toEqual(raw.body.item);
    // Reading changes nothing.
    expect(await redis.get(key)).toBe(MESSAGE_VALUE);
  });

  test("returns a Go-format log entry (a one-element JSON array) as an array", async () => {
    const key = `${ns}dlq:log:${crypto.randomUUID()}`;
    const value = JSON.stringify([{ serviceType: "HOBOM_BACKEND", level: "INFO", traceId: "t-1", message: "m" }]);
    await writeGoEntry(redis, key, value);

    const answer = await api().get(key);
    expect(answer.status).toBe(200);
    expect(answer.body.item).toEqual(JSON.parse(value));
  });

  test("an entry the relay wrote keeps why, when, attempts and pipeline beside it; the stored value is the payload alone", async () => {
    const row = hobom.messages.add({ payload: null });
    await eventually(() => row.status === "FAILED");
    const key = menuKey(row.eventId);

    const answer = await api().get(key);
    expect(answer.status).toBe(200);
    expect(answer.body.meta).toMatchObject({
      pipeline: "message",
      eventId: row.eventId,
      eventType: "MESSAGE",
      attempts: 1,
      replayable: false,
    });
    expect(answer.body.meta.reason).toContain("has no payload");
    expect(Date.parse(answer.body.meta.firstFailedAt)).not.toBeNaN();
    expect(Date.parse(answer.body.meta.lastFailedAt)).not.toBeNaN();
    const stored = (await redis.get(key)) as string;
    expect(answer.body.item).toEqual(JSON.parse(stored));
    expect(JSON.parse(stored)).toMatchObject({ eventId: row.eventId, payload: null });
    expect(stored).not.toContain("has no payload");
  });

  test("an event dead-lettered twice (its FAILED mark failed once) shows 2 attempts and its first and last failure", async () => {
    const row = hobom.messages.add({ payload: null });
    hobom.faults.fail("PatchOutboxMarkAsFailedUseCase", { code: grpc.status.UNAVAILABLE, eventIds: [row.eventId], times: 1 });
    await eventually(() => row.status === "FAILED");

    const answer = await api().get(menuKey(row.eventId));
    expect(answer.status).toBe(200);
    expect(answer.body.meta).toMatchObject({ pipeline: "message", eventId: row.eventId, attempts: 2 });
    expect(Date.parse(answer.body.meta.firstFailedAt)).toBeLessThan(Date.parse(answer.body.meta.lastFailedAt));
    expect(answer.body.item).toMatchObject({ eventId: row.eventId, payload: null });
  });

  test("a missing entry is a 404 DLQ not found", async () => {
    const answer = await api().get(menuKey());
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: "DLQ not found" });
  });
});

describe("DELETE /dlq/:key", () => {
  test("removes the entry and its metadata without touching the backend; a second delete is a 404", async () => {
    const row = hobom.messages.add({ payload: null });
    await eventually(() => row.status === "FAILED");
    const key = menuKey(row.eventId);
    const other = menuKey();
    await writeGoEntry(redis, other, MESSAGE_VALUE);
    const marksBefore = hobom.calls.count("*");

    const removed = await api().remove(key);
    expect(removed.status).toBe(200);
    expect(await redis.get(key)).toBeNull();
    expect(await redis.hgetall(`${ns}dlqmeta:dlq:menu:${row.eventId}`)).toEqual({});
    expect((await api().get(key)).status).toBe(404);

    const again = await api().remove(key);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: "DLQ not found" });
    // The other entry is untouched; the delete called no backend (polls aside).
    expect(await redis.get(other)).toBe(MESSAGE_VALUE);
    expect(
      hobom.calls
        .calls("*")
        .slice(marksBefore)
        .filter((call) => call.method !== "FindOutboxByEventTypeAndStatusUseCase" && call.method !== "FindLogOutboxByEventTypeAndStatusUseCase"),
    ).toEqual([]);
    expect(row.status).toBe("FAILED");
  });

  test("removes a Go-format entry", async () => {
    const key = menuKey();
    await writeGoEntry(redis, key, MESSAGE_VALUE);
    const answer = await api().remove(encodeURIComponent(key));
    expect(answer.status).toBe(200);
    expect(await redis.get(key)).toBeNull();
  });
});

describe("bad requests change nothing", () => {
  async function seed() {
    const keys = [menuKey(), menuKey(), `${ns}dlq:log:${crypto.randomUUID()}`];
    await writeGoEntry(redis, keys[0] as string, MESSAGE_VALUE);
    await writeGoEntry(redis, keys[1] as string, MESSAGE_VALUE);
    await writeGoEntry(redis, keys[2] as string, JSON.stringify([logPayload()]));
    return keys;
  }

  const badKeys = () => ({
    "unknown prefix": `${ns}dlq:nope:${crypto.randomUUID()}`,
    "empty eventId": `${ns}dlq:menu:`,
    "glob star": `${ns}dlq:menu:*`,
    "encoded glob star": `${ns}dlq:menu:%2A`,
    "glob question mark": `${ns}dlq:menu:abc%3F`,
    "glob brackets": `${ns}dlq:menu:%5Bab%5D`,
    "prefix with a glob": `${ns}dlq:*`,
    "path traversal": "..%2F..%2Fetc",
    "path traversal after a prefix": `${ns}dlq:menu:..%2F..%2Fetc%2Fpasswd`,
    "a space": `${ns}dlq:menu:a%20b`,
    "another namespace": `dlq:menu:${crypto.randomUUID()}`,
    "600 characters": `${ns}dlq:menu:${"a".repeat(600 - `${ns}dlq:menu:`.length)}`,
  });

  test("a bad key is a 400 invalid key on GET, DELETE and POST retry", async () => {
    await seed();
    const before = await redisSnapshot(redis);
    for (const [why, key] of Object.entries(badKeys())) {
      for (const [method, path] of [
        ["GET", `/dlq/${key}`],
        ["DELETE", `/dlq/${key}`],
        ["POST", `/dlq/retry/${key}`],
      ] as const) {
        const answer = await api().call(method, path);
        expect({ why, method, status: answer.status, error: answer.body?.error }).toEqual({ why, method, status: 400, error: "invalid key" });
      }
    }
    expect(await redisSnapshot(redis)).toEqual(before);
    expect(hobom.calls.count(MARK_SENT)).toBe(0);
  });

  test("a 600-character key is refused even when an entry of that name exists", async () => {
    const key = `${ns}dlq:menu:${"a".repeat(600 - `${ns}dlq:menu:`.length)}`;
    expect(key).toHaveLength(600);
    await writeGoEntry(redis, key, MESSAGE_VALUE);
    for (const [method, path] of [
      ["GET", `/dlq/${key}`],
      ["DELETE", `/dlq/${key}`],
      ["POST", `/dlq/retry/${key}`],
    ] as const) {
      expect((await api().call(method, path)).status).toBe(400);
    }
    expect(await redis.get(key)).toBe(MESSAGE_VALUE);
  });

  test("bulk retry without a prefix or with an unknown one is a 400 invalid prefix", async () => {
    await seed();
    const before = await redisSnapshot(redis);
    for (const path of [
      "/dlq/retry",
      "/dlq/retry?prefix=",
      "/dlq/retry?prefix=bogus",
      `/dlq/retry?prefix=${ns}dlq:*`,
      `/dlq/retry?prefix=${ns}dlq:menu:&limit=0`,
    ]) {
      const answer = await api().call("POST", path);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(answer.body.error).toStartWith("invalid ");
    }
    expect(await redisSnapshot(redis)).toEqual(before);
    expect(hobom.calls.count(MARK_SENT)).toBe(0);
  });

  test("a wrong method on a known path is a 405 naming the allowed methods, and changes nothing", async () => {
    const [key] = await seed();
    const before = await redisSnapshot(redis);
    for (const [method, path, allowed] of [
      ["PUT", `/dlq/${key}`, ["DELETE", "GET"]],
      ["PATCH", `/dlq/${key}`, ["DELETE", "GET"]],
      ["POST", `/dlq/${key}`, ["DELETE", "GET"]],
      ["DELETE", "/dlq", ["GET"]],
      ["PUT", "/dlq", ["GET"]],
      ["GET", `/dlq/retry/${key}`, ["POST"]],
      ["DELETE", `/dlq/retry/${key}`, ["POST"]],
      ["PUT", `/dlq/retry/${key}`, ["POST"]],
    ] as const) {
      const answer = await api().call(method, path);
      const allow = (answer.headers.get("allow") ?? "")
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== "")
        .sort();
      expect({ method, path, status: answer.status, allow, error: answer.body?.error }).toEqual({
        method,
        path,
        status: 405,
        allow: [...allowed],
        error: "method not allowed",
      });
    }
    expect(await redisSnapshot(redis)).toEqual(before);
    expect(hobom.calls.count(MARK_SENT)).toBe(0);
  });
});

describe("retrying what this relay cannot replay", () => {
  test("an entry of a pipeline this relay does not run (no space backend configured) is 422 and kept", async () => {
    const key = `${ns}dlq:space:${crypto.randomUUID()}`;
    await writeGoEntry(redis, key, '{"entityType":"PAGE"}');
    const answer = await api().retry(key);
    expect(answer.status).toBe(422);
    expect(answer.body.error).toBe("not replayable");
    expect(answer.body.detail).toContain("space");
    expect(await redis.get(key)).toBe('{"entityType":"PAGE"}');
  });
});

describe("the api key", () => {
  const routes = (key: string) =>
    [
      ["GET", "/dlq"],
      ["GET", `/dlq/${key}`],
      ["DELETE", `/dlq/${key}`],
      ["POST", `/dlq/retry/${key}`],
      ["POST", `/dlq/retry?prefix=${ns}dlq:menu:`],
    ] as const;

  test("every DLQ route answers 401 unauthorized without x-api-key or with a wrong one, and changes nothing", async () => {
    const key = menuKey();
    await writeGoEntry(redis, key, MESSAGE_VALUE);
    const before = await redisSnapshot(redis);
    const wrongKeys: (string | null)[] = [
      null,
      "",
      "wrong",
      TEST_INTERNAL_API_KEY.toUpperCase(),
      `${TEST_INTERNAL_API_KEY}x`,
      TEST_INTERNAL_API_KEY.slice(0, -1),
    ];
    for (const apiKey of wrongKeys) {
      for (const [method, path] of routes(key)) {
        const answer = await dlqClient(relay, apiKey).call(method, path);
        expect({ apiKey, method, path, status: answer.status, error: answer.body?.error }).toEqual({
          apiKey,
          method,
          path,
          status: 401,
          error: "unauthorized",
        });
      }
    }
    // Auth comes before the key check: a bad key without auth says nothing about keys.
    expect((await dlqClient(relay, null).get(`${ns}dlq:menu:*`)).status).toBe(401);
    expect(await redisSnapshot(redis)).toEqual(before);
    expect(hobom.calls.count(MARK_SENT)).toBe(0);
    expect((await api().get(key)).status).toBe(200);
  });

  test("health and metrics need no api key", async () => {
    for (const path of ["/health", "/health/live", "/health/ready", "/metrics"]) {
      const answer = await http(relay.httpUrl, "GET", path);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    }
  });

  test("with HOBOM_INTERNAL_API_KEY unset the DLQ routes answer 401 naming the variable, whatever key is sent", async () => {
    const { HOBOM_INTERNAL_API_KEY: _unset, ...env } = setup.env;
    const keyless = await startRelayProcess(env);
    const key = menuKey();
    await writeGoEntry(redis, key, MESSAGE_VALUE);
    const before = await redisSnapshot(redis);

    for (const apiKey of [null, "", TEST_INTERNAL_API_KEY, "anything"]) {
      for (const [method, path] of routes(key)) {
        const answer = await dlqClient(keyless, apiKey).call(method, path);
        expect({ apiKey, method, path, status: answer.status, error: answer.body?.error }).toEqual({
          apiKey,
          method,
          path,
          status: 401,
          error: "unauthorized",
        });
        expect(answer.text).toContain("HOBOM_INTERNAL_API_KEY");
      }
    }
    expect(await redisSnapshot(redis)).toEqual(before);
    expect(keyless.logs.some((line) => line.level === "warn" && line.msg.includes("HOBOM_INTERNAL_API_KEY"))).toBe(true);
    expect((await http(keyless.httpUrl, "GET", "/health")).status).toBe(200);
    await keyless.kill();
  });

  test("HOBOM_DLQ_AUTH=off opens the DLQ routes without a key", async () => {
    const { HOBOM_INTERNAL_API_KEY: _unset, ...env } = setup.env;
    const open = await startRelayProcess({ ...env, HOBOM_DLQ_AUTH: "off" });
    const key = menuKey();
    await writeGoEntry(redis, key, MESSAGE_VALUE);

    const listed = await dlqClient(open, null).list({ prefix: `${ns}dlq:menu:` });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([key]);
    const read = await dlqClient(open, null).get(key);
    expect(read.status).toBe(200);
    expect(read.body.item).toEqual(JSON.parse(MESSAGE_VALUE));
    expect((await dlqClient(open, null).remove(key)).status).toBe(200);
    expect(await redis.get(key)).toBeNull();
    expect(open.logs.some((line) => line.level === "warn" && line.msg.includes("HOBOM_DLQ_AUTH=off"))).toBe(true);
    await open.kill();
  });
});

test("the relay that served all of this logged no error", () => {
  expect(relay.logs.filter((line) => line.level === "error")).toEqual([]);
});

test("a request with an oversized body is refused before it reaches a route, and changes nothing", async () => {
  const key = menuKey();
  await redis.set(key, MESSAGE_VALUE, GO_DLQ_TTL_SECONDS);
  const response = await fetch(`${relay.httpUrl}${DLQ_BASE}/dlq/retry/${key}`, {
    method: "POST",
    headers: { "x-api-key": TEST_INTERNAL_API_KEY, "content-type": "application/json" },
    body: JSON.stringify({ padding: "x".repeat(1024 * 1024) }),
  }).catch((error: Error) => error);
  // Bun answers 413, or closes the connection on a body this large: either way nothing ran.
  expect([413, "connection closed"]).toContain(response instanceof Error ? "connection closed" : response.status);
  expect(await redis.get(key)).toBe(MESSAGE_VALUE);
  expect(hobom.calls.count(MARK_SENT)).toBe(0);
});
