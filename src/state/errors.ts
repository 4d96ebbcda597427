/** The state store's errors, in the engine's kinds. */
import { DependencyError } from "../engine/errors.ts";

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
