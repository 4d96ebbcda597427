/**
 * The one error taxonomy the engine reads. Retry, breaker and dead-letter decisions look at the
 * class and `retriable`, never at message text. Each adapter translates its client's errors
 * (grpc-js, kafkajs, Bun's Redis, …) into these once, at its edge, and may subclass them to carry
 * its own fields (a gRPC code, a topic).
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
 * message is too large even alone, or the sink refuses it. It goes to the DLQ.
 */
export class PermanentEventError extends RelayError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { retriable: false, ...options });
  }
}

/** An event whose payload is missing or does not have the shape its pipeline needs. */
export class MappingError extends PermanentEventError {}

/** A message larger than its sink takes even on its own. */
export class RecordTooLargeError extends PermanentEventError {
  constructor(
    readonly bytes: number,
    readonly limit: number,
    /** The setting that sets the limit, for the operator. */
    setting: string,
  ) {
    super(`record is ${bytes} bytes, over the ${limit}-byte limit (${setting})`);
  }
}

/** Which outside system an error came from (kafka, redis, grpc, postgres, …); the label of the errors metric. */
export type Dependency = string;

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

/**
 * A sink cannot be reached at all (no Kafka broker answers, the endpoint refuses connections): its
 * breaker opens and every pipeline writing to it waits. Nothing counts against the events.
 */
export class SinkUnavailableError extends DependencyError {
  constructor(dependency: Dependency, message: string, options: { cause?: unknown } = {}) {
    super(dependency, message, { retriable: true, ...options });
  }
}

/**
 * One destination of a sink cannot take events now (a topic that does not exist or may not be
 * written), while the sink itself answers: only the pipelines that write to it wait.
 */
export class DestinationError extends DependencyError {
  constructor(
    dependency: Dependency,
    /** What it is, for health and logs: e.g. `kafka topic hobom.messages`. */
    readonly destination: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(dependency, message, { retriable: true, ...options });
  }
}

/** A sink's breaker is open: deliveries are refused until `retryAt` (epoch ms). */
export class BreakerOpenError extends DependencyError {
  constructor(
    dependency: Dependency,
    readonly retryAt: number,
    cause?: unknown,
  ) {
    super(dependency, `${dependency} is unavailable (breaker open)`, { retriable: true, cause });
  }
}

/** This instance no longer owns the pipeline. Not retriable here: the cycle stops. */
export class LeaseLostError extends RelayError {
  constructor(pipeline: string) {
    super(`lease of pipeline ${pipeline} lost; another instance owns it now`, { retriable: false });
  }
}

/** An operation tried as often as allowed; keeps the count and the last cause. */
export class RetriesExhaustedError extends RelayError {
  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${describeError(cause)}`, { retriable: false, cause });
  }
}

/** A short, single-line description of any thrown value, for logs and DLQ metadata. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n", 1)[0] || error.name;
  if (error === undefined || error === null) return "no error detail";
  return String(error);
}
