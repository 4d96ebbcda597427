import { describe, expect, test } from "bun:test";
import { classifyKafkaError, classifyMetadataError, describeKafkaError } from "../../../../src/sinks/kafka/classify.ts";
import { KafkaSendError, KafkaTopicError } from "../../../../src/sinks/kafka/errors.ts";

/** An error shaped like kafkajs's: a retry wrapper around a protocol error with a `type`. */
function kafkajsError(type: string | undefined, message: string, name = "KafkaJSProtocolError"): Error {
  const inner = Object.assign(new Error(message), { name, ...(type && { type }) });
  return Object.assign(new Error(`retries exceeded: ${message}`), { name: "KafkaJSNumberOfRetriesExceeded", originalError: inner });
}

describe("classifyKafkaError", () => {
  test("a record Kafka refuses for its size is the records' fault: not retriable, scope records", () => {
    const error = classifyKafkaError("t", kafkajsError("MESSAGE_TOO_LARGE", "The request included a message larger than the max message size"));
    expect(error).toBeInstanceOf(KafkaSendError);
    expect([error.retriable, error.scope]).toEqual([false, "records"]);
    expect(error.message).toContain("MESSAGE_TOO_LARGE");
  });

  test("an invalid topic name is the topic's fault", () => {
    const error = classifyKafkaError("bad topic", kafkajsError("INVALID_TOPIC_EXCEPTION", "invalid"));
    expect([error.retriable, error.scope]).toEqual([false, "topic"]);
  });

  test("a leader change or an unreachable broker is retriable", () => {
    for (const error of [
      kafkajsError("NOT_LEADER_OR_FOLLOWER", "not leader"),
      kafkajsError(undefined, "connect ECONNREFUSED 127.0.0.1:9092", "KafkaJSConnectionError"),
    ]) {
      expect(classifyKafkaError("t", error).retriable).toBe(true);
    }
  });
});

describe("classifyMetadataError", () => {
  test("a topic that does not exist is a KafkaTopicError that names it and says what to do", () => {
    const error = classifyMetadataError("hobom.messages", kafkajsError("UNKNOWN_TOPIC_OR_PARTITION", "This server does not host this topic-partition"));
    expect(error).toBeInstanceOf(KafkaTopicError);
    expect((error as KafkaTopicError).reason).toBe("missing");
    expect(error.message).toContain("topic hobom.messages does not exist");
    expect(error.message).toContain("auto.create.topics.enable");
  });

  test("a topic this user may not write is a KafkaTopicError too", () => {
    const error = classifyMetadataError("t", kafkajsError("TOPIC_AUTHORIZATION_FAILED", "Not authorized to access topics"));
    expect((error as KafkaTopicError).reason).toBe("unauthorized");
  });

  test("an unreachable cluster is an ordinary retriable send error, for the breaker", () => {
    const error = classifyMetadataError("t", kafkajsError(undefined, "Connection timeout", "KafkaJSConnectionError"));
    expect(error).toBeInstanceOf(KafkaSendError);
    expect(error.retriable).toBe(true);
  });
});

describe("describeKafkaError", () => {
  test("says which settings to check when SASL authentication fails", () => {
    const text = describeKafkaError(kafkajsError(undefined, "SASL SCRAM SHA512 authentication failed, bad credentials", "KafkaJSSASLAuthenticationError"));
    expect(text).toContain("HOBOM_KAFKA_SASL_PASSWORD");
  });

  test("says which settings to check when the brokers' certificate cannot be verified", () => {
    const text = describeKafkaError(kafkajsError(undefined, "self signed certificate in certificate chain", "KafkaJSConnectionError"));
    expect(text).toContain("HOBOM_KAFKA_TLS_CA_FILE");
  });
});
