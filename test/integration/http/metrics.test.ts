/**
 * GET /metrics in Prometheus text format, scraped over real HTTP while the relay delivers a known
 * number of events: the per-pipeline row counters (replays included), the histograms, the lag and
 * breaker gauges, the DLQ gauges per prefix and errors by dependency.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { RedisClient } from "bun";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import {
  type HoBomBackendDouble,
  type LlmBackendDouble,
  lawChangedPayload,
  messagePayload,
  startHoBomBackend,
  startLlmBackend,
} from "../../support/backends/index.ts";
import { dlqClient, http, parsePrometheus, type Sample, sampleValue } from "../../support/http-client.ts";
import { createTopics } from "../../support/kafka-topics.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const MESSAGE_FIND = "/outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase";
const PREFIXES = ["dlq:menu:", "dlq:log:", "dlq:space:", "dlq:space-log:", "dlq:law:", "dlq:angel:", "dlq:angel-log:"];

let hobom: HoBomBackendDouble;
let llm: LlmBackendDouble;
// A private Redis: the DLQ counts of one test are not another's.
let privateRedis: RedisInstance;
let setup: RelayTestSetup;
let relay: RelayProcess;

beforeAll(async () => {
  [hobom, llm, privateRedis] = await Promise.all([startHoBomBackend({ apiKey: TEST_API_KEY }), startLlmBackend({ apiKey: TEST_API_KEY }), startRedisServer()]);
  setup = relayTestSetup({ hobom, llm, redisUrl: privateRedis.url });
  await createTopics(testbedEnv().kafkaBrokers, [setup.topics.messages]);
});

afterAll(async () => {
  await killAllRelays();
  hobom?.stop();
  llm?.stop();
  await privateRedis?.kill();
});

async function scrape(): Promise<{ text: string; samples: Sample[]; contentType: string | null }> {
  const answer = await http(relay.httpUrl, "GET", "/metrics");
  expect(answer.status).toBe(200);
  return { text: answer.text, samples: parsePrometheus(answer.text), contentType: answer.headers.get("content-type") };
}

const rows = (samples: Sample[], pipeline: string, event: string) => sampleValue(samples, "hobom_rows_total", { pipeline, event }) ?? 0;

describe("GET /metrics", () => {
  test("7 messages and 1 row without payload count as 8 fetched, 7 published and marked SENT, 1 dead-lettered and marked FAILED", async () => {
    const good = Array.from({ length: 7 }, () => hobom.messages.add({ payload: messagePayload() }));
    const empty = hobom.messages.add({ payload: null });
    relay = await startRelayProcess(setup.env);
    await eventually(() => good.every((row) => row.status === "SENT") && empty.status === "FAILED");

    let samples: Sample[] = [];
    await eventually(
      async () => {
        samples = (await scrape()).samples;
        return rows(samples, "message", "marked_sent") === 7 && rows(samples, "message", "marked_failed") === 1;
      },
      10_000,
      () => JSON.stringify(samples.filter((sample) => sample.name === "hobom_rows_total")),
    );
    const message = Object.fromEntries(
      ["fetched", "published", "marked_sent", "marked_failed", "dead_lettered"].map((event) => [event, rows(samples, "message", event)]),
    );
    expect(message).toEqual({ fetched: 8, published: 7, marked_sent: 7, marked_failed: 1, dead_lettered: 1 });
    // The log pipeline ran next to it and saw nothing.
    expect(rows(samples, "log", "published")).toBe(0);
  });

  test("is Prometheus text with the publish and cycle histograms, the lag and breaker gauges and the errors counter", async () => {
    const { text, samples, contentType } = await scrape();
    expect(contentType).toStartWith("text/plain; version=0.0.4");
    for (const name of [
      "hobom_rows_total",
      "hobom_publish_duration_seconds",
      "hobom_cycle_duration_seconds",
      "hobom_oldest_pending_row_age_seconds",
      "hobom_kafka_breaker_open",
      "hobom_dlq_entries",
      "hobom_dependency_errors_total",
    ]) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, "m"));
    }
    expect(sampleValue(samples, "hobom_publish_duration_seconds_count", { pipeline: "message" })).toBeGreaterThanOrEqual(1);
    expect(
      samples.some((sample) => sample.name === "hobom_publish_duration_seconds_bucket" && sample.labels.pipeline === "message" && sample.labels.le === "+Inf"),
    ).toBe(true);
    const cycles = samples.filter((sample) => sample.name === "hobom_cycle_duration_seconds_count" && sample.labels.pipeline === "message");
    expect(cycles.reduce((sum, sample) => sum + sample.value, 0)).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, "hobom_oldest_pending_row_age_seconds", { pipeline: "message" })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, "hobom_kafka_breaker_open")).toBe(0);
  });

  test("hobom_dlq_entries counts the entries under every prefix", async () => {
    const { samples } = await scrape();
    const entries = Object.fromEntries(
      PREFIXES.map((prefix) => [prefix, sampleValue(samples, "hobom_dlq_entries", { prefix: `${setup.namespace}${prefix}` })]),
    );
    expect(entries).toEqual({ "dlq:menu:": 1, "dlq:log:": 0, "dlq:space:": 0, "dlq:space-log:": 0, "dlq:law:": 0, "dlq:angel:": 0, "dlq:angel-log:": 0 });
  });

  test("the DLQ gauges exist for every prefix from the start, and replays count as replayed (0 until the first)", async () => {
    const before = (await scrape()).samples;
    for (const pipeline of ["message", "log", "law"]) expect(sampleValue(before, "hobom_rows_total", { pipeline, event: "replayed" })).toBe(0);
    for (const name of ["hobom_dlq_entries", "hobom_dlq_oldest_entry_age_seconds", "hobom_dlq_entries_expiring_soon"]) {
      for (const prefix of PREFIXES)
        expect({ name, prefix, present: sampleValue(before, name, { prefix: `${setup.namespace}${prefix}` }) !== undefined }).toEqual({
          name,
          prefix,
          present: true,
        });
    }
    expect(sampleValue(before, "hobom_dlq_replay_jobs_running")).toBe(0);
    const oldest = sampleValue(before, "hobom_dlq_oldest_entry_age_seconds", { prefix: `${setup.namespace}dlq:menu:` }) ?? -1;
    expect(oldest).toBeGreaterThanOrEqual(0);

    const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
    const key = `${setup.namespace}dlq:menu:${row.eventId}`;
    const client = new RedisClient(privateRedis.url);
    try {
      await client.send("SET", [key, '{"type":"MAIL_MESSAGE"}', "EX", "3600"]);
    } finally {
      client.close();
    }
    expect((await dlqClient(relay).retry(key)).status).toBe(200);
    const after = (await scrape()).samples;
    expect(sampleValue(after, "hobom_rows_total", { pipeline: "message", event: "replayed" })).toBe(1);
    expect(rows(after, "message", "published") - rows(before, "message", "published")).toBe(0);
  });

  test("a failed mark counts as a grpc error, and the row is published once and marked on the next cycle", async () => {
    const before = (await scrape()).samples;
    const row = hobom.messages.add({ payload: messagePayload() });
    hobom.faults.fail(MARK_SENT, { code: grpc.status.UNAVAILABLE, eventIds: [row.eventId], times: 1 });
    await eventually(() => row.status === "SENT");

    let after: Sample[] = [];
    await eventually(async () => {
      after = (await scrape()).samples;
      return rows(after, "message", "marked_sent") === rows(before, "message", "marked_sent") + 1;
    });
    const grpcErrors = (samples: Sample[]) => sampleValue(samples, "hobom_dependency_errors_total", { dependency: "grpc" }) ?? 0;
    expect(grpcErrors(after) - grpcErrors(before)).toBe(1);
    expect(rows(after, "message", "published") - rows(before, "message", "published")).toBe(1);
    expect(rows(after, "message", "fetched") - rows(before, "message", "fetched")).toBe(2);
  });

  test("a failed Find counts as a grpc error", async () => {
    const grpcErrors = (samples: Sample[]) => sampleValue(samples, "hobom_dependency_errors_total", { dependency: "grpc" }) ?? 0;
    const before = await scrape();
    hobom.faults.fail(MESSAGE_FIND, { code: grpc.status.UNAVAILABLE, times: 1 });
    await relay.waitForLog((line) => line.msg === "cycle failed" && line.pipeline === "message" && String(line.error).includes("UNAVAILABLE"));
    const row = hobom.messages.add({ payload: messagePayload() });
    await eventually(() => row.status === "SENT");

    const after = await scrape();
    expect(grpcErrors(after.samples) - grpcErrors(before.samples)).toBe(1);
  });

  test("a failed SaveStudyMaterial counts once as a grpc error; the next cycle saves and marks", async () => {
    const grpcErrors = (samples: Sample[]) => sampleValue(samples, "hobom_dependency_errors_total", { dependency: "grpc" }) ?? 0;
    const before = await scrape();
    hobom.faults.fail("SaveStudyMaterial", { code: grpc.status.UNAVAILABLE, times: 1 });
    const row = hobom.laws.add({ payload: lawChangedPayload({ diffId: `diff-${crypto.randomUUID()}` }) });
    await eventually(() => row.status === "SENT");

    const after = await scrape();
    expect(hobom.calls.count("SaveStudyMaterial")).toBe(2);
    expect(grpcErrors(after.samples) - grpcErrors(before.samples)).toBe(1);
    expect(rows(after.samples, "law", "published") - rows(before.samples, "law", "published")).toBe(1);
  });

  test("the lag gauge shows the age of the oldest row still PENDING", async () => {
    const hourAgo = new Date(Date.now() - 3600_000);
    const stuck = hobom.messages.add({ payload: messagePayload(), createdAt: hourAgo });
    // The row is delivered but its mark keeps failing, so every cycle finds it PENDING again.
    hobom.faults.fail(MARK_SENT, { code: grpc.status.UNAVAILABLE, eventIds: [stuck.eventId], times: Number.POSITIVE_INFINITY });
    try {
      let lag: number | undefined;
      await eventually(
        async () => {
          lag = sampleValue((await scrape()).samples, "hobom_oldest_pending_row_age_seconds", { pipeline: "message" });
          return lag !== undefined && lag >= 3600;
        },
        10_000,
        () => `lag ${lag}`,
      );
      expect(lag).toBeLessThan(3600 + 60);
      expect(stuck.status).toBe("PENDING");
    } finally {
      hobom.faults.clear();
    }
    await eventually(() => stuck.status === "SENT");
  });
});
