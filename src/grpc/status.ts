/** gRPC status codes, translated once into the relay's error taxonomy. */
import { type ServiceError, status as Status } from "@grpc/grpc-js";
import { DependencyError } from "../engine/errors.ts";

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
 * Codes after which the same call may succeed later. The others say the request itself is wrong
 * (or the row is gone) and repeating it changes nothing.
 */
const RETRIABLE = new Set<number>([
  Status.CANCELLED,
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
  Status.RESOURCE_EXHAUSTED,
  Status.ABORTED,
  Status.INTERNAL,
  Status.UNAVAILABLE,
]);

/** The name of a numeric status code, e.g. 14 → `UNAVAILABLE`. */
export function statusName(code: number): string {
  return Status[code] ?? `CODE_${code}`;
}

/** A grpc-js error as a {@link BackendCallError} naming the backend and method. */
export function toBackendCallError(backend: string, method: string, error: unknown): BackendCallError {
  const serviceError = error as Partial<ServiceError>;
  const code = typeof serviceError.code === "number" ? serviceError.code : Status.UNKNOWN;
  const details = serviceError.details ?? (error instanceof Error ? error.message : String(error));
  return new BackendCallError(backend, method, statusName(code), details, { retriable: RETRIABLE.has(code), cause: error });
}
