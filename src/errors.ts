/**
 * The one error taxonomy the relay reads. Retry and dead-letter decisions look at the class and
 * `retriable`, never at message text; foreign errors (grpc-js, kafkajs, Bun's Redis client) are
 * translated into these once, in their adapter.
 */

/** Base of every error the relay raises on purpose. */
export class RelayError extends Error {
  /** True when the same operation may succeed later (an outage, a timeout). */
  readonly retriable: boolean;

  constructor(message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable;
  }
}

/**
 * This event can never be delivered as it is: its payload is missing or cannot be mapped, its
 * record is too large even alone, or its topic cannot exist. It goes to the DLQ.
 */
export class PermanentEventError extends RelayError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: false, ...options });
  }
}

/** A row whose payload is missing or does not have the shape its pipeline needs. */
export class MappingError extends PermanentEventError {}

/** A record larger than `HOBOM_KAFKA_MAX_MESSAGE_BYTES` even on its own. */
export class RecordTooLargeError extends PermanentEventError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`record is ${bytes} bytes, over the ${limit}-byte limit (HOBOM_KAFKA_MAX_MESSAGE_BYTES)`);
  }
}

/** Which outside system an error came from; also the label of the errors metric. */
export type Dependency = "kafka" | "redis" | "grpc";

/** A dependency failed or could not be reached. */
export class DependencyError extends RelayError {
  constructor(
    readonly dependency: Dependency,
    message: string,
    options: { retriable: boolean; cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A gRPC call to a HoBom backend did not return OK. */
export class BackendCallError extends DependencyError {
  constructor(
    readonly backend: string,
    readonly method: string,
    /** The gRPC status code name, e.g. `UNAVAILABLE`. */
    readonly code: string,
    details: string,
    options: { retriable: boolean; cause?: unknown },
  ) {
    super("grpc", `${backend} ${method} failed: ${code}${details ? ` (${details})` : ""}`, options);
  }
}

/**
 * Kafka did not acknowledge a send. A permanent one is about what was sent, not about the broker:
 * `scope` says whether some record in the batch is at fault (split the batch to find it) or the
 * topic itself (every record for it fails).
 */
export class KafkaSendError extends DependencyError {
  readonly scope: "records" | "topic";

  constructor(
    readonly topic: string,
    message: string,
    options: { retriable: boolean; scope?: "records" | "topic"; cause?: unknown },
  ) {
    super("kafka", `kafka send to ${topic} failed: ${message}`, options);
    this.scope = options.scope ?? "records";
  }
}

/**
 * A topic a pipeline writes to cannot be written: it does not exist (and the brokers do not create
 * topics on demand) or these credentials may not write it. Kafka itself answers, so this holds back
 * only the pipelines that write to this topic, not the breaker shared by all.
 */
export class KafkaTopicError extends DependencyError {
  constructor(
    readonly topic: string,
    readonly reason: "missing" | "unauthorized",
    options: { cause?: unknown } = {},
  ) {
    super(
      "kafka",
      reason === "missing"
        ? `topic ${topic} does not exist; create it (kafka-topics.sh --create --topic ${topic}) or let the brokers create topics (auto.create.topics.enable=true)`
        : `not authorized to write topic ${topic}; grant the relay's Kafka user WRITE and DESCRIBE on it`,
      { retriable: true, ...options },
    );
  }
}

/** The Kafka breaker is open: sends are refused until `retryAt` (epoch ms). */
export class KafkaUnavailableError extends DependencyError {
  constructor(
    readonly retryAt: number,
    cause?: unknown,
  ) {
    super("kafka", "kafka is unavailable (breaker open)", { retriable: true, cause });
  }
}

/**
 * Redis failed. `refused` when Redis answered and refused the command (a bad argument, a wrong
 * type): Redis is up and retrying the same command changes nothing. Otherwise it could not be
 * reached, hung past the deadline, or is not serving (loading, out of memory, wrong password).
 */
export class RedisError extends DependencyError {
  constructor(
    message: string,
    cause?: unknown,
    readonly refused = false,
  ) {
    super("redis", `redis: ${message}`, { retriable: !refused, cause });
  }
}

/** A short, single-line description of any thrown value, for logs and DLQ metadata. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n", 1)[0] || error.name;
  if (error === undefined || error === null) return "no error detail";
  return String(error);
}
