/**
 * Bulk replay over real HTTP (`POST /dlq/retry?…`): a dry run that changes nothing, a job with
 * progress answered by any instance, 200/207/502 by outcome, a rate limit, cancel, the list of
 * jobs, and a job whose instance died (abandoned). Entries the Go processor wrote are written
 * before the relay that replays them starts, so its index backfill finds them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { type HoBomBackendDouble, logPayload, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { dlqClient, redisSnapshot, writeGoEntry } from "../../support/http-client.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis, type RedisInspector } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const { kafkaBrokers: brokers } = testbedEnv();
let hobom: HoBomBackendDouble;
let privateRedis: RedisInstance;
let setup: RelayTestSetup;
let redis: RedisInspector;
let ns: string;

beforeAll(async () => {
  [hobom, privateRedis] = await Promise.all([startHoBomBackend({ apiKey: TEST_API_KEY }), startRedisServer()]);
  setup = relayTestSetup({ hobom, redisUrl: privateRedis.url });
  ns = setup.namespace;
  redis = inspectRedis(privateRedis.url, ns);
  await createTopics(brokers, [setup.topics.messages, setup.topics.logs]);
});

afterEach(async () => {
  await killAllRelays();
  hobom.reset();
  const client = new RedisClient(privateRedis.url);
  try {
    const keys = [...(await redis.keys("dlq*")), ...(await redis.keys("sent:*")), ...(await redis.keys("audit"))];
    if (keys.length > 0) await client.send("DEL", keys);
  } finally {
    client.close();
  }
});

afterAll(async () => {
  redis?.close();
  await killAllRelays();
  hobom?.stop();
  await privateRedis?.kill();
});

/** A relay started after the entries were written: its backfill indexes them. */
async function startRelay(env: Record<string, string> = {}): Promise<RelayProcess> {
  const relay = await startRelayProcess({ ...setup.env, ...env });
  await relay.waitForLog((line) => line.msg === "DLQ index backfilled");
  return relay;
}

function messageValue(title: string): string {
  return JSON.stringify({ type: "MAIL_MESSAGE", title, body: "Hello", recipient: "user@example.com", senderId: "s", sentAt: "2026-11-23T14:05:00Z" });
}

/** FAILED rows with their Go-format entries under dlq:menu:. */
async function goEntries(count: number) {
  const rows = Array.from({ length: count }, () => hobom.messages.add({ payload: messagePayload(), status: "FAILED" }));
  for (const row of rows) await writeGoEntry(redis, `${ns}dlq:menu:${row.eventId}`, messageValue(row.eventId));
  return rows;
}

const auditActions = async (relay: RelayProcess) =>
  (await dlqClient(relay).audit()).body.items as { action: string; target: string; status: number; detail: string }[];

describe("a bulk replay job", () => {
  test("retries every entry under the prefix (202, Location); GET answers per key, 207 when some failed; other prefixes untouched; each record once in Kafka", async () => {
    const rows = await goEntries(3);
    const logRow = hobom.logs.add({ payload: logPayload(), status: "FAILED" });
    const logKey = `${ns}dlq:log:${logRow.eventId}`;
    await writeGoEntry(redis, logKey, "[]");
    const relay = await startRelay();
    const api = dlqClient(relay);
    const raw = hobom.messages.add({ payload: null });
    await eventually(() => raw.status === "FAILED");
    const rawKey = `${ns}dlq:menu:${raw.eventId}`;

    const started = await api.bulk({ prefix: `${ns}dlq:menu:` });
    expect(started.status).toBe(202);
    expect(started.body.job).toMatchObject({
      state: "running",
      total: 4,
      done: 0,
      failed: 0,
      remaining: 4,
      actor: expect.stringMatching(/^key:[0-9a-f]{12}$/),
    });
    expect(started.body.location).toBe(`/hobom-event-processor/internal/api/v1/dlq/jobs/${started.body.job.id}`);
    expect(started.headers.get("location")).toBe(started.body.location);

    const finished = await api.finishedJob(started.body.job.id);
    expect(finished.status).toBe(207);
    expect(finished.body).toMatchObject({ state: "partial", total: 4, done: 3, failed: 1, remaining: 0 });
    expect(finished.body.finishedAt).toBeString();
    const items = new Map((finished.body.items as { key: string; [field: string]: unknown }[]).map((item) => [item.key, item]));
    for (const row of rows)
      expect(items.get(`${ns}dlq:menu:${row.eventId}`)).toEqual({
        key: `${ns}dlq:menu:${row.eventId}`,
        status: 200,
        outcome: "retried",
        published: true,
        marked: "SENT",
      });
    expect(items.get(rawKey)).toMatchObject({ status: 422, outcome: "failed", error: "not replayable" });

    const records = await readTopic(brokers, setup.topics.messages);
    for (const row of rows) {
      expect(row.status).toBe("SENT");
      expect(records.filter((record) => record.key === row.eventId).map((record) => record.value)).toEqual([messageValue(row.eventId)]);
    }
    expect((await api.list()).body.items.sort()).toEqual([logKey, rawKey].sort());
    expect(logRow.status).toBe("FAILED");
    // Any instance answers for the job.
    const other = await startRelay();
    expect((await dlqClient(other).job(started.body.job.id)).body).toEqual(finished.body);
    // The finish is audited right after the job's state is stored.
    await eventually(async () => (await auditActions(relay)).filter((entry) => entry.target === started.body.job.id).length === 2);
    const audit = await auditActions(relay);
    expect(audit.filter((entry) => entry.target === started.body.job.id).map((entry) => [entry.action, entry.status, entry.detail])).toEqual([
      ["dlq.bulk-retry", 207, "partial: 3 retried, 1 failed of 4"],
      ["dlq.bulk-retry", 202, expect.stringContaining("started: 4 of 4 matched")],
    ]);
  });

  test("?limit= caps how many entries a job takes, oldest first; the rest wait for the next job (200 when every one was retried)", async () => {
    const rows = await goEntries(3);
    const relay = await startRelay();
    const api = dlqClient(relay);
    const first = await api.bulk({ pipeline: "message", limit: "2" });
    expect(first.body.job.total).toBe(2);
    const done = await api.finishedJob(first.body.job.id);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ state: "succeeded", done: 2, failed: 0, remaining: 0 });
    expect(rows.filter((row) => row.status === "SENT")).toHaveLength(2);
    expect((await api.entries({ pipeline: "message" })).body.matched).toBe(1);

    const second = await api.bulk({ pipeline: "message", limit: "2" });
    expect((await api.finishedJob(second.body.job.id)).body).toMatchObject({ state: "succeeded", total: 1, done: 1 });
    expect(rows.every((row) => row.status === "SENT")).toBe(true);
  });

  test("ratePerSecond spaces the starts: three entries at 2 a second take at least a second", async () => {
    await goEntries(3);
    const relay = await startRelay();
    const api = dlqClient(relay);
    const started = await api.bulk({ pipeline: "message", ratePerSecond: "2" });
    const done = (await api.finishedJob(started.body.job.id)).body;
    expect(done).toMatchObject({ state: "succeeded", done: 3 });
    expect(Date.parse(done.finishedAt) - Date.parse(done.createdAt)).toBeGreaterThanOrEqual(1000);
  });

  test("a job whose every entry failed is 502 with state failed; one with nothing to retry succeeds at once", async () => {
    // No space backend is configured here: every space entry is not replayable (422).
    for (const id of ["s1", "s2"]) await writeGoEntry(redis, `${ns}dlq:space:${id}`, '{"entityType":"PAGE"}');
    const relay = await startRelay();
    const api = dlqClient(relay);
    const failing = await api.bulk({ prefix: `${ns}dlq:space:` });
    const failed = await api.finishedJob(failing.body.job.id);
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ state: "failed", total: 2, done: 0, failed: 2 });
    expect(failed.body.items.map((item: { status: number; error: string }) => [item.status, item.error])).toEqual([
      [422, "not replayable"],
      [422, "not replayable"],
    ]);
    expect(await redis.get(`${ns}dlq:space:s1`)).not.toBeNull();

    const empty = await api.bulk({ prefix: `${ns}dlq:angel:` });
    expect(empty.status).toBe(202);
    const none = await api.finishedJob(empty.body.job.id);
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ state: "succeeded", total: 0, items: [] });
  });

  test("ratePerSecond paces the entries; DELETE cancels: no entry starts after it, the rest stay; a finished job cannot be cancelled", async () => {
    const rows = await goEntries(6);
    const relay = await startRelay();
    const api = dlqClient(relay);
    const started = await api.bulk({ prefix: `${ns}dlq:menu:`, ratePerSecond: "1" });
    const id = started.body.job.id;
    await eventually(async () => (await api.job(id)).body.done >= 1, 10_000);
    const cancelled = await api.cancelJob(id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe("cancelled");
    // The runner records its end once the entry in flight is through.
    await eventually(async () => (await auditActions(relay)).some((entry) => entry.target === id && entry.detail.startsWith("cancelled:")), 10_000);
    const final = await api.job(id);
    expect(final.status).toBe(200);
    expect(final.body.state).toBe("cancelled");
    expect(final.body.done + final.body.failed).toBeLessThanOrEqual(cancelled.body.done + cancelled.body.failed + 1);
    expect(final.body.remaining).toBeGreaterThan(0);
    const sent = rows.filter((row) => row.status === "SENT").length;
    expect(sent).toBe(final.body.done);
    expect((await api.entries({ prefix: `${ns}dlq:menu:` })).body.matched).toBe(6 - sent);
    const items = final.body.items as unknown[];
    expect(items.length).toBe(final.body.done + final.body.failed);

    const again = await api.cancelJob(id);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("job finished");
    expect((await api.cancelJob("j-no-such-job")).status).toBe(404);
    expect((await api.cancelJob("not a job")).status).toBe(400);
    const audit = (await auditActions(relay)).filter((entry) => entry.action === "dlq.job.cancel").map((entry) => entry.status);
    expect(audit.sort()).toEqual([200, 404, 409]);
    expect(hobom.calls.count(MARK_SENT)).toBe(sent);
  });

  test("GET /dlq/jobs lists the jobs newest first, without their items", async () => {
    await goEntries(1);
    const relay = await startRelay();
    const api = dlqClient(relay);
    const first = await api.bulk({ prefix: `${ns}dlq:log:` });
    await api.finishedJob(first.body.job.id);
    const second = await api.bulk({ prefix: `${ns}dlq:menu:` });
    await api.finishedJob(second.body.job.id);
    const listed = await api.jobs();
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((job: { id: string }) => job.id)).toEqual([second.body.job.id, first.body.job.id]);
    expect(listed.body.items[0]).toMatchObject({ state: "succeeded", total: 1, filters: { prefix: `${ns}dlq:menu:`, limit: 1000, ratePerSecond: 20 } });
    expect(listed.body.items.every((job: object) => !("items" in job))).toBe(true);
  });

  test("a job whose instance died stays running while its heartbeat is fresh, then shows abandoned; another instance can cancel it", async () => {
    await goEntries(5);
    const owner = await startRelay();
    const started = await dlqClient(owner).bulk({ prefix: `${ns}dlq:menu:`, ratePerSecond: "1" });
    const id = started.body.job.id;
    await owner.kill();
    const other = await startRelay();
    const api = dlqClient(other);
    expect((await api.job(id)).body.state).toBe("running");
    // What 30 s without a heartbeat leaves: the dead instance's last beat, long ago.
    const client = new RedisClient(privateRedis.url);
    try {
      await client.send("HSET", [`${ns}dlq-job:${id}`, "heartbeatAt", new Date(Date.now() - 31_000).toISOString()]);
    } finally {
      client.close();
    }
    const abandoned = await api.job(id);
    expect(abandoned.status).toBe(200);
    expect(abandoned.body.state).toBe("abandoned");
    expect(abandoned.body.remaining).toBeGreaterThan(0);
    expect((await api.jobs()).body.items[0]).toMatchObject({ id, state: "abandoned" });
    expect((await api.cancelJob(id)).body.state).toBe("cancelled");
  });
});

describe("a dry run", () => {
  test("answers the entries a bulk replay would take, with their metadata, and changes nothing", async () => {
    await goEntries(3);
    const relay = await startRelay();
    const api = dlqClient(relay);
    const before = await redisSnapshot(redis);
    const dry = await api.bulk({ prefix: `${ns}dlq:menu:`, dryRun: "true", limit: "2" });
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect(dry.body.matched).toBe(3);
    const listed = await api.entries({ prefix: `${ns}dlq:menu:`, limit: "2" });
    // The same entries; expiresAt is now + PTTL, read a moment apart.
    const withoutExpiry = (items: { expiresAt: string }[]) => items.map(({ expiresAt: _expiresAt, ...rest }) => rest);
    expect(withoutExpiry(dry.body.items)).toEqual(withoutExpiry(listed.body.items));
    dry.body.items.forEach((item: { expiresAt: string }, index: number) => {
      expect(Math.abs(Date.parse(item.expiresAt) - Date.parse(listed.body.items[index].expiresAt))).toBeLessThan(1000);
    });
    expect(await redisSnapshot(redis)).toEqual(before);
    expect(hobom.calls.count(MARK_SENT)).toBe(0);
    expect((await api.jobs()).body.items).toEqual([]);
    const [entry] = await auditActions(relay);
    expect(entry).toMatchObject({ action: "dlq.bulk-retry.dry-run", status: 200 });
    expect(entry?.detail).toStartWith("3 matched, 2 would be retried");
  });

  test("a misspelt dryRun is refused, not run (the bug this issue found): 400 naming the parameter, nothing changed", async () => {
    await goEntries(2);
    const relay = await startRelay();
    const api = dlqClient(relay);
    const before = await redisSnapshot(redis);
    const queries: Record<string, string>[] = [{ dryrun: "true" }, { dryRun: "TRUE" }, { dryRun: "1" }, { dryRun: "yes" }];
    for (const query of queries) {
      const answer = await api.bulk({ prefix: `${ns}dlq:menu:`, ...query });
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
    }
    const misspelt = await api.bulk({ prefix: `${ns}dlq:menu:`, dryrun: "true" });
    expect(misspelt.body).toEqual({
      error: "invalid query",
      detail:
        'unknown parameter "dryrun" (did you mean "dryRun"? names are case-sensitive); POST /dlq/retry accepts: pipeline, prefix, reason, eventType, olderThan, newerThan, limit, ratePerSecond, dryRun',
    });
    expect((await api.bulk({ prefix: `${ns}dlq:menu:`, dryRun: "TRUE" })).body).toEqual({
      error: "invalid dryRun",
      detail: "dryRun is true or false (default false)",
    });
    expect(await redisSnapshot(redis)).toEqual(before);
    expect(hobom.calls.count(MARK_SENT)).toBe(0);
    expect((await api.jobs()).body.items).toEqual([]);
  });

  test("a bulk replay needs a pipeline or a prefix, and takes the same filters as /dlq/entries", async () => {
    const relay = await startRelay();
    const api = dlqClient(relay);
    const none = await api.bulk({});
    expect(none.status).toBe(400);
    expect(none.body.error).toBe("invalid query");
    expect(none.body.detail).toContain("needs pipeline=<name>");
    expect((await api.bulk({ prefix: "" })).body.error).toBe("invalid prefix");
    expect((await api.bulk({ pipeline: "message", limit: "10001" })).body.error).toBe("invalid limit");
    expect((await api.bulk({ pipeline: "message", ratePerSecond: "0" })).body.error).toBe("invalid ratePerSecond");
    const filtered = await api.bulk({ pipeline: "message", reason: "nothing has this reason", dryRun: "true" });
    expect(filtered.body).toEqual({ dryRun: true, matched: 0, items: [] });
  });
});
