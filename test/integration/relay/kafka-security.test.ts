/**
 * The relay (the real entrypoint) against Kafka with TLS and SASL, and against Redis with TLS and
 * an ACL user: right settings deliver; wrong ones are a clear, logged outage in which nothing is
 * marked, and `check-config` says what to check.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { type SecureKafkaBroker, startSecureKafkaBroker } from "../../infra/kafka-secure.ts";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { eventually, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, startRelayProcess } from "../../support/relay-process.ts";

let broker: SecureKafkaBroker;
let hobom: HoBomBackendDouble;
let secureRedis: RedisInstance;
const ACL_USER = { name: "hobom-relay", password: "acl-pa55word" };

beforeAll(async () => {
  [broker, hobom, secureRedis] = await Promise.all([
    startSecureKafkaBroker(),
    startHoBomBackend({ apiKey: TEST_API_KEY }),
    startRedisServer({
      tls: true,
      // The ACL the README gives for the relay's user.
      users: [{ name: ACL_USER.name, password: ACL_USER.password, rules: ["~*", "+@read", "+@write", "+@scripting", "+scan", "+ping"] }],
    }),
  ]);
}, 120_000);

afterEach(async () => {
  await killAllRelays();
  hobom.reset();
});

afterAll(async () => {
  hobom.stop();
  await Promise.all([broker.kill(), secureRedis.kill()]);
});

/** A relay whose Kafka settings are `kafka`, writing to fresh topics created through the plaintext listener. */
async function relayWith(kafka: Record<string, string>, redis: Record<string, string> = {}) {
  const setup = relayTestSetup({ hobom, kafkaBrokers: [broker.saslSsl], overrides: { ...kafka, ...redis } });
  await createTopics([broker.plaintext], Object.values(setup.topics));
  const relay = await startRelayProcess(setup.env);
  return { setup, relay };
}

const tls = () => ({ HOBOM_KAFKA_TLS: "on", HOBOM_KAFKA_TLS_CA_FILE: broker.files.caCert });

describe("Kafka over SASL_SSL", () => {
  for (const [mechanism, user] of [
    ["plain", () => broker.users.plain],
    ["scram-sha-256", () => broker.users.scram256],
    ["scram-sha-512", () => broker.users.scram512],
  ] as const) {
    test(`delivers with ${mechanism} and the right credentials`, async () => {
      const row = hobom.messages.add({ payload: messagePayload() });
      const { setup } = await relayWith({
        ...tls(),
        HOBOM_KAFKA_SASL_MECHANISM: mechanism,
        HOBOM_KAFKA_SASL_USERNAME: user().username,
        HOBOM_KAFKA_SASL_PASSWORD: user().password,
      });
      await eventually(() => row.status === "SENT", 30_000);
      expect((await readTopic([broker.plaintext], setup.topics.messages)).map((record) => record.key)).toEqual([row.eventId]);
    }, 60_000);
  }

  test("with a wrong password marks nothing, and logs the outage with the settings to check", async () => {
    const row = hobom.messages.add({ payload: messagePayload() });
    const { relay } = await relayWith({
      ...tls(),
      HOBOM_KAFKA_SASL_MECHANISM: "scram-sha-512",
      HOBOM_KAFKA_SASL_USERNAME: broker.users.scram512.username,
      HOBOM_KAFKA_SASL_PASSWORD: "wrong",
    });
    const outage = await relay.waitForLog((line) => line.msg.startsWith("kafka unreachable"), 30_000);
    expect(String(outage.error)).toContain("HOBOM_KAFKA_SASL_PASSWORD");
    await Bun.sleep(1_000);
    expect(row.status).toBe("PENDING");
    expect(hobom.calls.count("PatchOutboxMarkAsFailedUseCase")).toBe(0);
    expect(JSON.stringify(relay.logs)).not.toContain('"wrong"');
  }, 60_000);

  test("refuses brokers whose certificate another CA signed, and says so", async () => {
    const row = hobom.messages.add({ payload: messagePayload() });
    const { relay } = await relayWith({
      HOBOM_KAFKA_TLS: "on",
      HOBOM_KAFKA_TLS_CA_FILE: broker.files.otherCaCert,
      HOBOM_KAFKA_SASL_MECHANISM: "plain",
      HOBOM_KAFKA_SASL_USERNAME: broker.users.plain.username,
      HOBOM_KAFKA_SASL_PASSWORD: broker.users.plain.password,
    });
    const outage = await relay.waitForLog((line) => line.msg.startsWith("kafka unreachable"), 30_000);
    expect(String(outage.error)).toContain("HOBOM_KAFKA_TLS_CA_FILE");
    expect(row.status).toBe("PENDING");
  }, 60_000);

  test("check-config names a wrong password as a Kafka failure and exits 1", async () => {
    const setup = relayTestSetup({
      hobom,
      kafkaBrokers: [broker.saslSsl],
      overrides: { ...tls(), HOBOM_KAFKA_SASL_MECHANISM: "plain", HOBOM_KAFKA_SASL_USERNAME: broker.users.plain.username, HOBOM_KAFKA_SASL_PASSWORD: "wrong" },
    });
    const child = Bun.spawn([process.execPath, resolve(import.meta.dir, "../../../src/main.ts"), "check-config"], {
      env: { PATH: process.env.PATH ?? "", ...setup.env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(1);
    const kafkaLine = out.split("\n").find((line) => line.includes(" kafka"));
    expect(kafkaLine).toStartWith("FAIL");
    expect(kafkaLine).toContain("SASL");
  }, 60_000);
});

describe("Kafka over mutual TLS", () => {
  test("delivers with the client certificate", async () => {
    const row = hobom.messages.add({ payload: messagePayload() });
    const setup = relayTestSetup({
      hobom,
      kafkaBrokers: [broker.ssl],
      overrides: { ...tls(), HOBOM_KAFKA_TLS_CERT_FILE: broker.files.clientCert, HOBOM_KAFKA_TLS_KEY_FILE: broker.files.clientKey },
    });
    await createTopics([broker.plaintext], Object.values(setup.topics));
    await startRelayProcess(setup.env);
    await eventually(() => row.status === "SENT", 30_000);
    expect((await readTopic([broker.plaintext], setup.topics.messages)).map((record) => record.key)).toEqual([row.eventId]);
  }, 60_000);

  test("without a client certificate is refused, and nothing is marked", async () => {
    const row = hobom.messages.add({ payload: messagePayload() });
    const setup = relayTestSetup({ hobom, kafkaBrokers: [broker.ssl], overrides: tls() });
    await createTopics([broker.plaintext], Object.values(setup.topics));
    const relay = await startRelayProcess(setup.env);
    await relay.waitForLog((line) => line.msg.startsWith("kafka unreachable"), 30_000);
    expect(row.status).toBe("PENDING");
  }, 60_000);
});

describe("Redis over TLS with an ACL user", () => {
  test("delivers, records and dead-letters through rediss:// with the CA and the user of the README's ACL", async () => {
    const good = hobom.messages.add({ payload: messagePayload() });
    const bad = hobom.messages.add({ payload: null });
    const setup = relayTestSetup({
      hobom,
      redisUrl: secureRedis.url,
      overrides: { HOBOM_REDIS_TLS_CA_FILE: secureRedis.caCertFile ?? "", HOBOM_REDIS_USERNAME: ACL_USER.name, HOBOM_REDIS_PASSWORD: ACL_USER.password },
    });
    await createTopics(setup.env.HOBOM_KAFKA_BROKER?.split(",") ?? [], Object.values(setup.topics));
    await startRelayProcess(setup.env);
    await eventually(() => good.status === "SENT" && bad.status === "FAILED", 30_000);
  }, 60_000);

  test("with a wrong ACL password takes no lease and marks nothing, and says Redis is unreachable", async () => {
    const row = hobom.messages.add({ payload: messagePayload() });
    const setup = relayTestSetup({
      hobom,
      redisUrl: secureRedis.url,
      overrides: { HOBOM_REDIS_TLS_CA_FILE: secureRedis.caCertFile ?? "", HOBOM_REDIS_USERNAME: ACL_USER.name, HOBOM_REDIS_PASSWORD: "wrong" },
    });
    const relay = await startRelayProcess(setup.env);
    await relay.waitForLog((line) => line.msg === "redis unreachable", 15_000);
    expect(row.status).toBe("PENDING");
    const health = await fetch(`${relay.httpUrl}/health`);
    expect(health.status).toBe(503);
  }, 60_000);
});
