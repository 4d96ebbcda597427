/**
 * The relay (the real entrypoint) against the shared 3-broker cluster, which creates no topic on
 * demand: a topic that does not exist holds back only the pipelines that write to it, and health
 * tells it from an unreachable cluster and from Finds that hang.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { type HoBomBackendDouble, logPayload, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { parsePrometheus, sampleValue } from "../../support/http-client.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { eventually, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

const { kafkaClusterBrokers: brokers } = testbedEnv();
let hobom: HoBomBackendDouble;

beforeAll(async () => {
  hobom = await startHoBomBackend({ apiKey: TEST_API_KEY });
});
afterEach(async () => {
  await killAllRelays();
  hobom.reset();
});
afterAll(() => hobom.stop());

const FIND = "/outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase";

describe("a topic that does not exist", () => {
  test("holds back only its pipeline: its rows stay PENDING, the log pipeline delivers, and health and the log name the topic", async () => {
    const setup = relayTestSetup({ hobom, kafkaBrokers: brokers });
    // Every topic but the message pipeline's.
    await createTopics(brokers, [{ topic: setup.topics.logs, partitions: 6 }]);
    const messages = Array.from({ length: 5 }, () => hobom.messages.add({ payload: messagePayload() }));
    const logs = Array.from({ length: 20 }, () => hobom.logs.add({ payload: logPayload() }));
    const relay = await startRelayProcess(setup.env);

    await eventually(() => logs.every((row) => row.status === "SENT"), 20_000);
    const failure = await relay.waitForLog((line) => line.msg === "cycle failed" && line.pipeline === "message", 15_000);
    expect(String(failure.error)).toContain(`topic ${setup.topics.messages} does not exist`);
    expect(String(failure.error)).toContain("auto.create.topics.enable");
    // /health says what is wrong; readiness names it as degraded (another instance would wait for the same topic).
    expect((await fetch(`${relay.httpUrl}/health`)).status).toBe(503);
    const health = await fetch(`${relay.httpUrl}/health/ready`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; degraded: { name: string }[]; components: Record<string, { status: string; error?: string }> };
    expect(body.status).toBe("degraded");
    expect(body.degraded.map((entry) => entry.name)).toContain(`kafka topic ${setup.topics.messages}`);
    expect(body.components.kafka?.status).toBe("healthy");
    expect(body.components[`kafka topic ${setup.topics.messages}`]?.error).toContain("pipelines waiting: message");
    const samples = parsePrometheus(await (await fetch(`${relay.httpUrl}/metrics`)).text());
    expect(sampleValue(samples, "hobom_kafka_breaker_open")).toBe(0);
    expect(messages.every((row) => row.status === "PENDING")).toBe(true);
    expect(hobom.calls.count("PatchOutboxMarkAsFailedUseCase")).toBe(0);
    // The same failure on every cycle is logged once.
    await Bun.sleep(1_500);
    expect(relay.logs.filter((line) => line.msg === "cycle failed" && line.pipeline === "message")).toHaveLength(1);

    await createTopics(brokers, [{ topic: setup.topics.messages, partitions: 6 }]);
    await eventually(() => messages.every((row) => row.status === "SENT"), 30_000);
    expect((await readTopic(brokers, setup.topics.messages)).map((record) => record.key).sort()).toEqual(messages.map((row) => row.eventId).sort());
    await eventually(async () => (await fetch(`${relay.httpUrl}/health`)).status === 200, 10_000);
  }, 90_000);
});

describe("Finds that hang", () => {
  test("show in /health and as degraded readiness, naming the backend that answers nothing, though its channel connects", async () => {
    const setup = relayTestSetup({ hobom, kafkaBrokers: brokers, overrides: { HOBOM_GRPC_FIND_TIMEOUT_MS: "300" } });
    await createTopics(brokers, Object.values(setup.topics));
    hobom.faults.delay(FIND, 2_000);
    const relay = await startRelayProcess(setup.env);
    await relay.waitForLog((line) => line.msg === "cycle failed" && line.pipeline === "message", 15_000);
    expect((await fetch(`${relay.httpUrl}/health`)).status).toBe(503);
    const health = await fetch(`${relay.httpUrl}/health/ready`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; components: Record<string, { status: string; error?: string }> };
    expect(body.status).toBe("degraded");
    expect(body.components["for-hobom-backend"]?.status).toBe("healthy");
    expect(body.components["pipeline message"]?.error).toContain("answered nothing before its deadline");
  }, 60_000);
});
