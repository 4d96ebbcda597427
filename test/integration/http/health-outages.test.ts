/**
 * /health, /health/live and /health/ready against real dependencies that go away and come back: a
 * private Redis and a private Kafka broker (never the shared ones), and a backend double that
 * stops. Also what the DLQ routes answer meanwhile: 503, with the entry kept.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { type KafkaBroker, startKafkaBroker } from "../../infra/kafka-broker.ts";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import {
  type AngelBackendDouble,
  type HoBomBackendDouble,
  type LlmBackendDouble,
  messagePayload,
  type SpaceBackendDouble,
  startAngelBackend,
  startHoBomBackend,
  startLlmBackend,
  startSpaceBackend,
} from "../../support/backends/index.ts";
import { dlqClient, http, parsePrometheus, type Sample, sampleValue, writeGoEntry } from "../../support/http-client.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";

const MARK_SENT = "PatchOutboxMarkAsSentUseCase";

let hobom: HoBomBackendDouble;
let space: SpaceBackendDouble;
let angel: AngelBackendDouble;
let llm: LlmBackendDouble;
let privateRedis: RedisInstance;
let broker: KafkaBroker;
let setup: RelayTestSetup;
let relay: RelayProcess;

beforeAll(async () => {
  [hobom, space, angel, llm, privateRedis, broker] = await Promise.all([
    startHoBomBackend({ apiKey: TEST_API_KEY }),
    startSpaceBackend({ apiKey: TEST_API_KEY }),
    startAngelBackend({ apiKey: TEST_API_KEY }),
    startLlmBackend({ apiKey: TEST_API_KEY }),
    startRedisServer(),
    startKafkaBroker({ name: "http-health" }),
  ]);
  setup = relayTestSetup({ hobom, space, angel, llm, redisUrl: privateRedis.url, kafkaBrokers: broker.brokers });
  await createTopics(broker.brokers, [setup.topics.messages]);
  relay = await startRelayProcess(setup.env);
}, 60_000);

afterEach(() => {
  for (const double of [hobom, space, angel, llm]) double.reset();
});

afterAll(async () => {
  await killAllRelays();
  for (const double of [hobom, space, angel, llm]) double?.stop();
  // Private servers: no need for a graceful stop.
  await Promise.all([privateRedis?.kill(), broker?.kill()]);
});

const health = (path = "/health") => http(relay.httpUrl, "GET", path);
const BACKENDS = ["for-hobom-backend", "hobom-space-backend", "for-hobom-angel-backend", "hobom-llm-service-backend"];
/** Metrics scraped while Kafka was stopped (by the Kafka outage test), and after it was back. */
let duringKafkaOutage: Sample[] | undefined;
let afterKafkaOutage: Sample[] | undefined;

async function scrape(): Promise<Sample[]> {
  const answer = await http(relay.httpUrl, "GET", "/metrics");
  expect(answer.status).toBe(200);
  return parsePrometheus(answer.text);
}

/** Asks /health until it answers `status`; returns that answer (each probe may take its 2 s timeout). */
async function healthUntil(status: number, timeoutMs: number) {
  let last = await health();
  await eventually(
    async () => {
      if (last.status === status) return true;
      last = await health();
      return last.status === status;
    },
    timeoutMs,
    () => last.text,
  );
  return last;
}

describe("with every dependency up", () => {
  test("/health answers 200 in the Go shape with a healthy component for Redis, Kafka and every configured backend", async () => {
    const answer = await health();
    expect(answer.status).toBe(200);
    // The Go processor's fields, kept (more may follow them).
    expect(Object.keys(answer.body)).toEqual(expect.arrayContaining(["components", "status"]));
    expect(answer.body.status).toBe("healthy");
    expect(Object.keys(answer.body.components).sort()).toEqual(["kafka", "redis", ...BACKENDS].sort());
    for (const component of Object.values(answer.body.components) as { status: string }[]) expect(component.status).toBe("healthy");
  });

  test("/health/live and /health/ready answer 200", async () => {
    const live = await health("/health/live");
    expect(live.status).toBe(200);
    const ready = await health("/health/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
  });
});

describe("Redis outage", () => {
  test("with Redis stopped /health and /health/ready answer 503 naming redis, live stays 200, the DLQ routes answer 503; all 200 again after a restart", async () => {
    await privateRedis.stop();
    try {
      const down = await healthUntil(503, 15_000);
      expect(down.body.status).toBe("unhealthy");
      expect(down.body.components.redis.status).toBe("unhealthy");
      expect(typeof down.body.components.redis.error).toBe("string");
      expect(down.body.components.kafka.status).toBe("healthy");
      expect(down.body.components["for-hobom-backend"].status).toBe("healthy");

      // Each of these may wait out a connection timeout: ask them together.
      const [ready, live, listed, retried, metrics] = await Promise.all([
        health("/health/ready"),
        health("/health/live"),
        dlqClient(relay).list(),
        dlqClient(relay).retry(`${setup.namespace}dlq:menu:${crypto.randomUUID()}`),
        http(relay.httpUrl, "GET", "/metrics"),
      ]);
      // Metrics stay scrapeable (the DLQ gauge cannot be refreshed meanwhile).
      expect(metrics.status).toBe(200);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe("not ready");
      expect(ready.body.missing).toEqual([{ name: "redis", error: expect.any(String) }]);
      expect(live.status).toBe(200);
      expect(listed.status).toBe(503);
      expect(listed.body.error).toBe("redis unavailable");
      expect(retried.status).toBe(503);
      expect(retried.body.error).toBe("redis unavailable");
      expect(hobom.calls.count(MARK_SENT)).toBe(0);
    } finally {
      await privateRedis.start();
    }
    await healthUntil(200, 20_000);
    expect((await health("/health/ready")).status).toBe(200);
    expect((await dlqClient(relay).list()).status).toBe(200);
  }, 45_000);
});

describe("Kafka outage", () => {
  test("with Kafka stopped /health answers 503 naming kafka, ready stays 200 (degraded), a retry answers 503 keeping the entry; after a restart the retry publishes once", async () => {
    const redis = inspectRedis(privateRedis.url, setup.namespace);
    try {
      const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
      const key = `${setup.namespace}dlq:menu:${row.eventId}`;
      const value = '{"type":"MAIL_MESSAGE","title":"t","body":"b","recipient":"r","senderId":"","sentAt":"2026-11-23T14:05:00Z"}';
      await writeGoEntry(redis, key, value);
      let pending: { status: string; eventId: string } | undefined;

      await broker.stop();
      try {
        const down = await healthUntil(503, 20_000);
        expect(down.body.components.kafka.status).toBe("unhealthy");
        expect(down.body.components.redis.status).toBe("healthy");

        const [ready, retried] = await Promise.all([health("/health/ready"), dlqClient(relay).retry(key)]);
        // Kafka is no reason to take this instance out of rotation: every instance would wait for it.
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({ status: "degraded", missing: [], degraded: [{ name: "kafka", error: expect.any(String) }] });
        expect(retried.status).toBe(503);
        expect(retried.body.error).toBe("kafka unavailable");
        expect(await redis.get(key)).toBe(value);
        expect(row.status).toBe("FAILED");
        expect(hobom.calls.count(MARK_SENT)).toBe(0);

        // A row that arrives meanwhile waits, PENDING, for Kafka.
        pending = hobom.messages.add({ payload: messagePayload() });
        await relay.waitForLog((line) => line.msg.startsWith("cycle stopped: kafka unavailable"), 20_000);
        expect(pending.status).toBe("PENDING");
        duringKafkaOutage = await scrape();
      } finally {
        await broker.start();
      }

      await healthUntil(200, 30_000);
      // The breaker may still be waiting out its backoff: a 503 keeps the entry, so asking again is safe.
      let last = await dlqClient(relay).retry(key);
      await eventually(
        async () => {
          if (last.status === 200) return true;
          expect(last.status).toBe(503);
          last = await dlqClient(relay).retry(key);
          return last.status === 200;
        },
        20_000,
        () => JSON.stringify(last.body),
      );
      expect(last.body).toMatchObject({ published: true, marked: "SENT" });
      expect(row.status).toBe("SENT");
      expect(await redis.get(key)).toBeNull();
      await eventually(() => pending?.status === "SENT");
      const records = await readTopic(broker.brokers, setup.topics.messages);
      expect(records.filter((record) => record.key === row.eventId).map((record) => record.value)).toEqual([value]);
      expect(records.filter((record) => record.key === pending?.eventId)).toHaveLength(1);
      expect(hobom.calls.count("PatchOutboxMarkAsFailedUseCase")).toBe(0);
      afterKafkaOutage = await scrape();
    } finally {
      redis.close();
    }
  }, 90_000);
});

describe("metrics of the Kafka outage", () => {
  test("the breaker gauge was 1 while Kafka was stopped and is 0 once it is back", () => {
    expect(duringKafkaOutage && sampleValue(duringKafkaOutage, "hobom_kafka_breaker_open")).toBe(1);
    expect(afterKafkaOutage && sampleValue(afterKafkaOutage, "hobom_kafka_breaker_open")).toBe(0);
  });

  test('the failed Kafka sends are counted in hobom_dependency_errors_total{dependency="kafka"}', () => {
    expect(duringKafkaOutage).toBeDefined();
    expect(sampleValue(duringKafkaOutage ?? [], "hobom_dependency_errors_total", { dependency: "kafka" }) ?? 0).toBeGreaterThanOrEqual(1);
  });
});

describe("backend outage", () => {
  test("a configured backend that stops answering makes /health 503 naming it", async () => {
    expect((await health()).status).toBe(200);
    llm.stop();
    const down = await healthUntil(503, 15_000);
    expect(down.body.components["hobom-llm-service-backend"].status).toBe("unhealthy");
    expect(down.body.components["for-hobom-backend"].status).toBe("healthy");
    expect(down.body.components.redis.status).toBe("healthy");
    expect(down.body.components.kafka.status).toBe("healthy");
  }, 30_000);
});
