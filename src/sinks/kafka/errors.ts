/** The Kafka sink's errors, in the engine's kinds. */
import { DestinationError, RelayError, SinkUnavailableError } from "../../engine/errors.ts";

/**
 * Kafka did not acknowledge a record. A permanent one is about what was sent, not about the
 * brokers: `scope` says whether the records are at fault (split the delivery to find the one) or
 * the topic itself (every record for it fails).
 */
export class KafkaSendError extends RelayError {
  readonly scope: "records" | "topic";

  constructor(
    readonly topic: string,
    message: string,
    options: { retriable: boolean; scope?: "records" | "topic"; cause?: unknown },
  ) {
    super(`kafka send to ${topic} failed: ${message}`, options);
    this.scope = options.scope ?? "records";
  }
}

/** No broker answers (or none lets the relay in): the breaker opens and every pipeline waits. */
export class KafkaUnreachableError extends SinkUnavailableError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("kafka", `kafka unreachable: ${message}`, options);
  }
}

/**
 * A topic a pipeline writes to cannot be written: it does not exist (and the brokers do not create
 * topics on demand) or these credentials may not write it. Kafka itself answers, so this holds back
 * only the pipelines that write to this topic.
 */
export class KafkaTopicError extends DestinationError {
  constructor(
    readonly topic: string,
    readonly reason: "missing" | "unauthorized",
    options: { cause?: unknown } = {},
  ) {
    super(
      "kafka",
      `kafka topic ${topic}`,
      reason === "missing"
        ? `topic ${topic} does not exist; create it (kafka-topics.sh --create --topic ${topic}) or let the brokers create topics (auto.create.topics.enable=true)`
        : `not authorized to write topic ${topic}; grant the relay's Kafka user WRITE and DESCRIBE on it`,
      options,
    );
  }
}
