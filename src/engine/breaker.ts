/**
 * A breaker in front of a sink, shared by every pipeline that writes to it. While the sink cannot
 * be reached at all (it throws SinkUnavailableError) the breaker refuses deliveries at once (no
 * batch is taken, nothing is dead-lettered or given up) until its next probe time, so an outage
 * costs one timeout per backoff step rather than one per delivery and pipeline.
 */

import { backoffDelay } from "./backoff.ts";
import { BreakerOpenError, DestinationError, PermanentEventError, SinkUnavailableError } from "./errors.ts";
import type { Sink } from "./ports.ts";

export interface Breaker {
  /** Epoch ms before which deliveries are refused; 0 while closed. */
  retryAt(): number;
  isOpen(): boolean;
}

export function withBreaker<M>(
  sink: Sink<M>,
  options: {
    /** The sink's dependency name, for the errors it raises while open. */
    dependency: string;
    backoffMs: readonly number[];
    now?: () => number;
    random?: () => number;
    /** Called when the breaker opens (with the cause) or closes. */
    onChange?: (open: boolean, cause?: unknown) => void;
  },
): Sink<M> & Breaker {
  const { now = Date.now, random = Math.random, onChange = () => {} } = options;
  let failures = 0;
  let openUntil = 0;

  const close = () => {
    if (failures === 0) return;
    failures = 0;
    openUntil = 0;
    onChange(false);
  };

  return {
    limits: sink.limits,
    idempotent: sink.idempotent,
    retryAt: () => (failures > 0 ? openUntil : 0),
    isOpen: () => failures > 0,
    async deliver(messages, signal) {
      if (failures > 0 && now() < openUntil) throw new BreakerOpenError(options.dependency, openUntil);
      const seen = failures;
      let outcomes: Awaited<ReturnType<typeof sink.deliver>>;
      try {
        outcomes = await sink.deliver(messages, signal);
      } catch (error) {
        // A refusal of the messages, or of one destination, came from a sink that answered: it is
        // up, and only the pipelines of that destination wait.
        if (error instanceof PermanentEventError || error instanceof DestinationError) close();
        if (!(error instanceof SinkUnavailableError)) throw error;
        // Deliveries that were in flight together fail together: one step of the table, not one each.
        if (failures === seen) {
          failures++;
          openUntil = now() + backoffDelay(options.backoffMs, failures, random());
          if (failures === 1) onChange(true, error);
        }
        throw new BreakerOpenError(options.dependency, openUntil, error);
      }
      // Some messages may have failed (a partition's leader away): theirs to wait for, not the sink's.
      close();
      return outcomes;
    },
    close: () => sink.close(),
  };
}
