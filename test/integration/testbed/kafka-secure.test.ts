/**
 * Proves the test bed's secure Kafka broker with the client the relay uses (kafkajs from Bun):
 * SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 over TLS, and mutual TLS, work with the right
 * credentials and fail as they should otherwise. The errors asserted here are the ones the relay
 * has to tell apart: bad credentials, an untrusted certificate, a refused client certificate,
 * and a broker that is not there.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from "kafkajs";
import { type SecureKafkaBroker, startSecureKafkaBroker } from "../../infra/kafka-secure.ts";
import { freePorts } from "../../infra/processes.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { uniqueName } from "../../support/testbed-env.ts";

let broker: SecureKafkaBroker;
let topic: string;
let pem: { ca: string; otherCa: string; cert: string; key: string };

beforeAll(async () => {
  broker = await startSecureKafkaBroker({ name: uniqueName("testbed-secure") });
  const read = (file: string) => readFileSync(file, "utf8");
  pem = { ca: read(broker.files.caCert), otherCa: read(broker.files.otherCaCert), cert: read(broker.files.clientCert), key: read(broker.files.clientKey) };
  topic = uniqueName("secure");
  await createTopics([broker.plaintext], [topic]);
}, 120_000);
afterAll(() => broker?.stop());

/** Connects a producer with `config` (no retries: failures should show at once) and sends one record keyed `key`. */
async function send(config: Omit<KafkaConfig, "clientId" | "logLevel">, key: string): Promise<void> {
  const producer = new Kafka({ clientId: uniqueName("secure-test"), logLevel: logLevel.NOTHING, retry: { retries: 0 }, ...config }).producer();
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key, value: "v" }] });
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

/** What a failed send threw: its name and message, and those of its cause (kafkajs wraps connection errors). */
async function failure(promise: Promise<void>): Promise<{ name: string; message: string; cause?: { name: string; code?: string; message: string } }> {
  try {
    await promise;
  } catch (error) {
    const { name, message, cause } = error as Error & { cause?: Error & { code?: string } };
    return { name, message, ...(cause ? { cause: { name: cause.name, code: cause.code, message: cause.message } } : {}) };
  }
  throw new Error("the send succeeded; it should have failed");
}

/** Keys of topic's records from the start, read by a consumer connecting with `config`, until `done(keys)`. */
async function readKeys(config: Omit<KafkaConfig, "clientId" | "logLevel">, done: (keys: string[]) => boolean): Promise<string[]> {
  const consumer = new Kafka({ clientId: uniqueName("secure-test"), logLevel: logLevel.NOTHING, ...config }).consumer({
    groupId: uniqueName("secure-reader"),
    maxWaitTimeInMs: 250,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string[]>((resolve, reject) => {
      const keys: string[] = [];
      consumer
        .run({
          eachMessage: async ({ message }) => {
            keys.push(String(message.key));
            if (done(keys)) resolve(keys);
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

const tls = () => ({ ca: [pem.ca], servername: "localhost" });

describe("SASL_SSL listener", () => {
  const mechanisms = [
    ["plain", () => broker.users.plain],
    ["scram-sha-256", () => broker.users.scram256],
    ["scram-sha-512", () => broker.users.scram512],
  ] as const;

  test("each mechanism with the right password produces, and a SCRAM consumer reads it all back", async () => {
    for (const [mechanism, user] of mechanisms) {
      const sasl = { mechanism, ...user() } as SASLOptions;
      await send({ brokers: [broker.saslSsl], ssl: tls(), sasl }, `via-${mechanism}`);
    }
    const keys = await readKeys(
      { brokers: [broker.saslSsl], ssl: tls(), sasl: { mechanism: "scram-sha-512", ...broker.users.scram512 } },
      (keys) => keys.length === 3,
    );
    expect(keys).toEqual(mechanisms.map(([mechanism]) => `via-${mechanism}`));
  }, 30_000);

  test("a wrong password fails at once with KafkaJSSASLAuthenticationError, naming the mechanism", async () => {
    const expected = {
      plain: "SASL PLAIN authentication failed: Authentication failed: Invalid username or password",
      "scram-sha-256":
        "SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256",
      "scram-sha-512":
        "SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512",
    };
    for (const [mechanism, user] of mechanisms) {
      const sasl = { mechanism, username: user().username, password: "wrong-password" } as SASLOptions;
      // Not retriable: kafkajs throws it as it is, not wrapped in KafkaJSNumberOfRetriesExceeded.
      expect(await failure(send({ brokers: [broker.saslSsl], ssl: tls(), sasl }, "never"))).toEqual({
        name: "KafkaJSSASLAuthenticationError",
        message: expected[mechanism],
      });
    }
  }, 30_000);

  test("a client trusting another CA is refused before SASL starts", async () => {
    const sasl = { mechanism: "plain", ...broker.users.plain } as SASLOptions;
    expect(await failure(send({ brokers: [broker.saslSsl], ssl: { ca: [pem.otherCa], servername: "localhost" }, sasl }, "never"))).toEqual({
      name: "KafkaJSNumberOfRetriesExceeded",
      message: "Connection error: unable to verify the first certificate",
      cause: { name: "KafkaJSConnectionError", code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", message: "Connection error: unable to verify the first certificate" },
    });
  });
});

describe("SSL listener (mutual TLS)", () => {
  test("a client with a certificate from the CA produces and reads back", async () => {
    const ssl = { ...tls(), cert: pem.cert, key: pem.key };
    await send({ brokers: [broker.ssl], ssl }, "via-mtls");
    expect(await readKeys({ brokers: [broker.ssl], ssl }, (keys) => keys.includes("via-mtls"))).toContain("via-mtls");
    // The PLAINTEXT listener, for set-up, sees the same topic.
    expect((await readTopic([broker.plaintext], topic)).map((record) => record.key)).toContain("via-mtls");
  }, 30_000);

  test("a client without a certificate is refused with the broker's bad_certificate alert", async () => {
    const message = "Connection error: error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE";
    expect(await failure(send({ brokers: [broker.ssl], ssl: tls() }, "never"))).toEqual({
      name: "KafkaJSNumberOfRetriesExceeded",
      message,
      cause: { name: "KafkaJSConnectionError", code: "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE", message },
    });
  });

  test("a client trusting another CA is refused", async () => {
    const result = await failure(send({ brokers: [broker.ssl], ssl: { ca: [pem.otherCa], servername: "localhost", cert: pem.cert, key: pem.key } }, "never"));
    expect(result.cause).toMatchObject({ name: "KafkaJSConnectionError", code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });
});

test("a broker that is not there: KafkaJSNumberOfRetriesExceeded caused by KafkaJSConnectionError ECONNREFUSED", async () => {
  const [port] = freePorts(1) as [number];
  const address = `127.0.0.1:${port}`;
  expect(await failure(send({ brokers: [address], ssl: tls(), sasl: { mechanism: "plain", ...broker.users.plain } }, "never"))).toEqual({
    name: "KafkaJSNumberOfRetriesExceeded",
    message: `Connection error: connect ECONNREFUSED ${address}`,
    cause: { name: "KafkaJSConnectionError", code: "ECONNREFUSED", message: `Connection error: connect ECONNREFUSED ${address}` },
  });
});
