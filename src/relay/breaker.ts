/**
 * A breaker in front of Kafka, shared by every pipeline that publishes. While the cluster is
 * unreachable as a whole (the sink rejects a send outright) it refuses sends at once (no Find, no
 * DLQ write, no FAILED mark) until its next probe time, so an outage costs one timeout per backoff
 * step rather than one per batch and pipeline.
 */
import { KafkaSendError, KafkaTopicError, KafkaUnavailableError } from "../errors.ts";
import { backoffDelay } from "./backoff.ts";
import type { EventSink } from "./ports.ts";

export interface KafkaBreaker extends EventSink {
  /** Epoch ms before which sends are refused; 0 while closed. */
  retryAt(): number;
  isOpen(): boolean;
}

export function withBreaker(
  sink: EventSink,
  options: {
    backoffMs: readonly number[];
    now?: () => number;
    random?: () => number;
    /** Called when the breaker opens (with the cause) or closes. */
    onChange?: (open: boolean, cause?: unknown) => void;
  },
): KafkaBreaker {
  const { now = Date.now, random = Math.random, onChange = () => {} } = options;
  let failures = 0;
  let openUntil = 0;

  return {
    retryAt: () => (failures > 0 ? openUntil : 0),
    isOpen: () => failures > 0,
    async send(topic, records) {
      if (failures > 0 && now() < openUntil) throw new KafkaUnavailableError(openUntil);
      const seen = failures;
      let outcomes;
      try {
        outcomes = await sink.send(topic, records);
      } catch (error) {
        // A permanent send error, or a topic that cannot be written, came back from a broker that
        // answered: Kafka itself is up, and only the pipelines of that topic wait.
        if ((error instanceof KafkaSendError && !error.retriable) || error instanceof KafkaTopicError) {
          close();
          throw error;
        }
        // Sends that were in flight together fail together: one step of the table, not one each.
        if (failures === seen) {
          failures++;
          openUntil = now() + backoffDelay(options.backoffMs, failures, random());
          if (failures === 1) onChange(true, error);
        }
        throw new KafkaUnavailableError(openUntil, error);
      }
      // Some partitions' leaders may be unreachable (their records failed): that is theirs to wait
      // for, not the whole cluster's.
      close();
      return outcomes;
    },
  };

  function close() {
    if (failures === 0) return;
    failures = 0;
    openUntil = 0;
    onChange(false);
  }
}
