/**
 * Calls `attempt` up to `attempts` times, waiting `backoffMs[i]` (the last repeated) between
 * tries. Errors that say retrying cannot help (a non-retriable RelayError, a TypeError) end it at
 * once. The error thrown at the end is a {@link RetriesExhaustedError} with the count and cause.
 */

import { backoffDelay } from "./backoff.ts";
import { RelayError, RetriesExhaustedError } from "./errors.ts";
import { sleep } from "./sleep.ts";

export async function withRetry<T>(attempt: () => Promise<T>, options: { attempts: number; backoffMs: readonly number[]; signal?: AbortSignal }): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      const hopeless = error instanceof TypeError || (error instanceof RelayError && !error.retriable);
      if (hopeless || tried >= options.attempts || options.signal?.aborted) throw new RetriesExhaustedError(tried, error);
      await sleep(backoffDelay(options.backoffMs, tried), options.signal);
      if (options.signal?.aborted) throw new RetriesExhaustedError(tried, error);
    }
  }
}
