/**
 * kafkajs errors → the relay's taxonomy, from tables of Kafka protocol error types. kafkajs wraps
 * the broker's answer in retry errors (`KafkaJSNumberOfRetriesExceeded`, `KafkaJSNonRetriableError`);
 * the protocol error is found by following `cause`/`originalError`.
 */
import { KafkaSendError, KafkaTopicError } from "../errors.ts";

/** Errors about the records themselves: split the batch, dead-letter the records at fault. */
const RECORD_ERRORS = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE", "INVALID_RECORD", "CORRUPT_MESSAGE", "INVALID_TIMESTAMP"]);

/** Errors about the topic's name: it cannot exist under that name. */
const TOPIC_ERRORS = new Set(["INVALID_TOPIC_EXCEPTION"]);

/** Errors that say which topic cannot be written, while Kafka itself answers. */
const TOPIC_STATE: Readonly<Record<string, KafkaTopicError["reason"]>> = {
  UNKNOWN_TOPIC_OR_PARTITION: "missing",
  TOPIC_AUTHORIZATION_FAILED: "unauthorized",
};

/** What an operator should check, for failures that are about the connection's settings. */
const SETTINGS_HINTS: readonly [RegExp, string][] = [
  [/SASL|authentication/i, "SASL authentication failed: check HOBOM_KAFKA_SASL_MECHANISM, HOBOM_KAFKA_SASL_USERNAME and HOBOM_KAFKA_SASL_PASSWORD"],
  [/certificate|self[- ]signed|SSL|TLS|handshake/i, "TLS failed: check HOBOM_KAFKA_TLS_CA_FILE (the CA that signed the brokers' certificates), the client certificate and HOBOM_KAFKA_TLS_SERVERNAME"],
];

/** A failed send (or metadata lookup for it) as a {@link KafkaSendError} naming the topic. */
export function classifyKafkaError(topic: string, error: unknown): KafkaSendError {
  const type = protocolErrorType(error);
  const message = describeKafkaError(error);
  if (type && RECORD_ERRORS.has(type)) return new KafkaSendError(topic, message, { retriable: false, scope: "records", cause: error });
  if (type && TOPIC_ERRORS.has(type)) return new KafkaSendError(topic, message, { retriable: false, scope: "topic", cause: error });
  // Everything else (connection refused, timeouts, leader changes, authentication) is about the
  // cluster, not the event: the breaker waits and the rows stay PENDING.
  return new KafkaSendError(topic, message, { retriable: true, cause: error });
}

/**
 * A failed lookup of a topic's partitions: a {@link KafkaTopicError} when Kafka answered that this
 * topic cannot be written, else what {@link classifyKafkaError} makes of it.
 */
export function classifyMetadataError(topic: string, error: unknown): KafkaTopicError | KafkaSendError {
  const type = protocolErrorType(error);
  const reason = type === undefined ? undefined : TOPIC_STATE[type];
  if (reason) return new KafkaTopicError(topic, reason, { cause: error });
  return classifyKafkaError(topic, error);
}

/** Connection failures that happen before a request leaves: the broker cannot have written it. */
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** Whether the failed request never reached a broker (its connection could not be opened). */
export function neverSent(error: unknown): boolean {
  return causes(error).some((link) => NOT_CONNECTED.has(String((link as { code?: unknown }).code)));
}

/** One line for logs and DLQ metadata: the protocol error type, the innermost message, and a hint. */
export function describeKafkaError(error: unknown): string {
  const type = protocolErrorType(error);
  const message = innermostMessage(error);
  const text = type && !message.includes(type) ? `${type}: ${message}` : message;
  const hint = SETTINGS_HINTS.find(([pattern]) => causes(error).some((link) => pattern.test(nameAndMessage(link))))?.[1];
  return hint ? `${text} (${hint})` : text;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current && chain.length < 10) {
    chain.push(current);
    const next = (current as { originalError?: unknown; cause?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
    if (next === current) break;
    current = next;
  }
  return chain;
}

function nameAndMessage(link: unknown): string {
  return link instanceof Error ? `${link.name} ${link.message}` : String(link);
}

function protocolErrorType(error: unknown): string | undefined {
  for (const link of causes(error)) {
    const type = (link as { type?: unknown }).type;
    if (typeof type === "string") return type;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  const chain = causes(error);
  const last = chain[chain.length - 1];
  return last instanceof Error ? last.message : String(last);
}
