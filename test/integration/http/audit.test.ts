/**
 * The audit trail over real HTTP: every DLQ change and every refused api key is a log line and an
 * entry of the capped Redis stream, readable at GET /audit, with the actor named by the api key's
 * name (HOBOM_INTERNAL_API_KEYS) or fingerprint, never the key. Refusals are stored at most 10 a
 * second. Bulk jobs' entries are checked in bulk-replay.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { dlqClient, writeGoEntry } from "../../support/http-client.ts";
import { createTopics } from "../../support/kafka-topics.ts";
import { inspectRedis, type RedisInspector } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY, TEST_INTERNAL_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type LogLine, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

const ALICE_KEY = "alice-key-0b4f5c2e";
const CI_KEY = "ci:key:with:colons";
const fingerprint = (key: string) => `key:${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;

let hobom: HoBomBackendDouble;
let privateRedis: RedisInstance;
let setup: RelayTestSetup;
let relay: RelayProcess;
let redis: RedisInspector;
let ns: string;

beforeAll(async () => {
  [hobom, privateRedis] = await Promise.all([startHoBomBackend({ apiKey: TEST_API_KEY }), startRedisServer()]);
  setup = relayTestSetup({ hobom, redisUrl: privateRedis.url, overrides: { HOBOM_INTERNAL_API_KEYS: `alice:${ALICE_KEY},ci-bot:${CI_KEY}` } });
  ns = setup.namespace;
  redis = inspectRedis(privateRedis.url, ns);
  await createTopics(testbedEnv().kafkaBrokers, [setup.topics.messages]);
  relay = await startRelayProcess(setup.env);
});

afterAll(async () => {
  redis?.close();
  await killAllRelays();
  hobom?.stop();
  await privateRedis?.kill();
});

const as = (key: string | null) => dlqClient(relay, key);
type Entry = { id: string; at: string; actor: string; action: string; target: string | null; outcome: string; status: number; detail: string | null };
const newest = async (count = 1): Promise<Entry[]> => (await as(ALICE_KEY).audit({ limit: String(count) })).body.items;
const auditLines = (): LogLine[] => relay.logs.filter((line) => line.msg === "audit");

describe("DLQ changes", () => {
  test("a retry is recorded with the named key's holder, the outcome and the status, and logged at info with the same fields", async () => {
    const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
    const key = `${ns}dlq:menu:${row.eventId}`;
    await writeGoEntry(
      redis,
      key,
      JSON.stringify({ type: "MAIL_MESSAGE", title: "t", body: "b", recipient: "r", senderId: "", sentAt: "2026-11-23T14:05:00Z" }),
    );
    expect((await as(ALICE_KEY).retry(key)).status).toBe(200);

    const [entry] = await newest();
    expect(entry).toMatchObject({ actor: "alice", action: "dlq.retry", target: key, outcome: "ok", status: 200, detail: "published=true marked=SENT" });
    expect(entry?.id).toMatch(/^\d+-\d+$/);
    expect(Math.abs(Date.parse(entry?.at ?? "") - Date.now())).toBeLessThan(60_000);
    const { id: _id, ...fields } = entry as Entry;
    await eventually(() => auditLines().some((line) => line.target === key));
    expect(auditLines().find((line) => line.target === key)).toMatchObject({ level: "info", ...fields });
  });

  test("a failed retry and a delete are recorded too, the failure at warn with the error; a key the API refuses is not (nothing was tried)", async () => {
    const missing = `${ns}dlq:menu:${crypto.randomUUID()}`;
    expect((await as(CI_KEY).retry(missing)).status).toBe(404);
    const deleted = `${ns}dlq:menu:${crypto.randomUUID()}`;
    await writeGoEntry(redis, deleted, "{}");
    expect((await as(TEST_INTERNAL_API_KEY).remove(deleted)).status).toBe(200);
    expect((await as(ALICE_KEY).remove(`${ns}dlq:nope:x`)).status).toBe(400);

    const [removal, failure] = await newest(2);
    expect(removal).toMatchObject({
      actor: fingerprint(TEST_INTERNAL_API_KEY),
      action: "dlq.delete",
      target: deleted,
      outcome: "ok",
      status: 200,
      detail: null,
    });
    expect(failure).toMatchObject({ actor: "ci-bot", action: "dlq.retry", target: missing, outcome: "failed", status: 404, detail: "DLQ not found" });
    await eventually(() => auditLines().some((line) => line.target === missing));
    expect(auditLines().find((line) => line.target === missing)).toMatchObject({ level: "warn", outcome: "failed" });
  });
});

describe("refused api keys", () => {
  test("each refusal is a warn line and an entry: anonymous without a key, the fingerprint of a wrong one; no key appears anywhere", async () => {
    await Bun.sleep(1100); // A second of its own, so the rate limit below does not count earlier refusals.
    const wrong = "wrong-key-3f9a";
    expect((await as(null).list()).status).toBe(401);
    expect((await as(wrong).call("DELETE", `/dlq/${ns}dlq:menu:x`)).status).toBe(401);
    const [second, first] = await newest(2);
    expect(first).toMatchObject({ actor: "anonymous", action: "auth.refused", target: "GET /dlq", outcome: "refused", status: 401 });
    expect(second).toMatchObject({ actor: fingerprint(wrong), action: "auth.refused", target: "DELETE /dlq/:key", outcome: "refused", status: 401 });
    await eventually(() => auditLines().filter((line) => line.action === "auth.refused" && line.level === "warn").length >= 2);
    const everything = JSON.stringify([relay.logs, (await as(ALICE_KEY).audit({ limit: "1000" })).body]);
    for (const key of [wrong, ALICE_KEY, CI_KEY, TEST_INTERNAL_API_KEY]) expect(everything).not.toContain(key);
  });

  test("a flood of refusals is logged whole but stored at most 10 a second", async () => {
    const before = new Set((await as(ALICE_KEY).audit({ limit: "1000" })).body.items.map((entry: Entry) => entry.id));
    const logged = auditLines().length;
    // Start at a second's beginning: the refusals before this test counted against their own second.
    await Bun.sleep(1010 - (Date.now() % 1000));
    const started = Date.now();
    await Promise.all(Array.from({ length: 60 }, () => as("scanner").list()));
    const seconds = Math.floor(Date.now() / 1000) - Math.floor(started / 1000) + 1;
    const stored = (await as(ALICE_KEY).audit({ limit: "1000" })).body.items.filter((entry: Entry) => !before.has(entry.id) && entry.action === "auth.refused");
    expect(stored.length).toBeGreaterThanOrEqual(10);
    expect(stored.length).toBeLessThanOrEqual(10 * seconds);
    await eventually(() => auditLines().length - logged >= 60);
    expect(auditLines().length - logged).toBe(60);
    expect(
      auditLines()
        .slice(-60)
        .filter((line) => line.stored === false).length,
    ).toBe(60 - stored.length);
  });
});

describe("GET /audit", () => {
  test("pages newest first with limit and before; nextBefore is null at the end", async () => {
    const all = (await as(ALICE_KEY).audit({ limit: "1000" })).body;
    expect(all.nextBefore).toBeNull();
    const ids: string[] = [];
    let before: string | null = null;
    do {
      const page = await as(ALICE_KEY).audit({ limit: "3", ...(before ? { before } : {}) });
      expect(page.status).toBe(200);
      ids.push(...page.body.items.map((entry: Entry) => entry.id));
      before = page.body.nextBefore;
    } while (before !== null && ids.length < 2000);
    expect(ids).toEqual(all.items.map((entry: Entry) => entry.id));
  });

  test("refuses a bad limit or before, and needs the api key", async () => {
    expect((await as(ALICE_KEY).audit({ limit: "0" })).body.error).toBe("invalid limit");
    expect((await as(ALICE_KEY).audit({ before: "yesterday" })).body.error).toBe("invalid before");
    expect((await as(null).audit()).status).toBe(401);
  });
});
