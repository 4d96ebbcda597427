/**
 * kafkajs errors → {@link KafkaSendError}, from a table of Kafka protocol error types. kafkajs
 * wraps the broker's answer in retry errors (`KafkaJSNumberOfRetriesExceeded`,
 * `KafkaJSNonRetriableError`); the protocol error is found by following `cause`/`originalError`.
 */
import { KafkaSendError } from "../errors.ts";

/** Errors about the records themselves: split the batch, dead-letter the records at fault. */
const RECORD_ERRORS = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE", "INVALID_RECORD", "CORRUPT_MESSAGE", "INVALID_TIMESTAMP"]);

/** Errors about the topic: it cannot exist under that name. */
const TOPIC_ERRORS = new Set(["INVALID_TOPIC_EXCEPTION"]);

export function classifyKafkaError(topic: string, error: unknown): KafkaSendError {
  const type = protocolErrorType(error);
  const message = innermostMessage(error);
  if (type && RECORD_ERRORS.has(type)) return new KafkaSendError(topic, `${type}: ${message}`, { retriable: false, scope: "records", cause: error });
  if (type && TOPIC_ERRORS.has(type)) return new KafkaSendError(topic, `${type}: ${message}`, { retriable: false, scope: "topic", cause: error });
  // Everything else (connection refused, timeouts, leader changes, authorization) is about the
  // cluster, not the event: the breaker waits and the rows stay PENDING.
  return new KafkaSendError(topic, type ? `${type}: ${message}` : message, { retriable: true, cause: error });
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
