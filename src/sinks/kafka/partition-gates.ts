/**
 * Which partitions take sends right now. A partition whose send failed for a reason about its
 * leader (down, paused, moving) is closed for one step of the backoff table, so that the records
 * bound for it fail at once instead of each waiting out kafkajs's retries, while the partitions
 * whose leaders answer keep flowing. The first send after the wait probes it again.
 */
import { backoffDelay } from "../../engine/backoff.ts";

export interface PartitionGates {
  /** Epoch ms before which `topic`/`partition` takes no send; 0 while it is open. */
  closedUntil(topic: string, partition: number): number;
  /** A send to it failed for a retriable reason: close it for the next backoff step; returns until when. */
  failed(topic: string, partition: number, error: unknown): number;
  /** A send to it was acknowledged: open it. */
  succeeded(topic: string, partition: number): void;
  /** How many partitions of each topic are closed right now. */
  closedPerTopic(): Map<string, number>;
}

export interface GateChange {
  readonly topic: string;
  readonly partition: number;
  /** True when the partition just closed (its outage began), false when it opened again. */
  readonly closed: boolean;
  readonly error?: unknown;
}

export function createPartitionGates(options: {
  backoffMs: readonly number[];
  onChange?: (change: GateChange) => void;
  now?: () => number;
  random?: () => number;
}): PartitionGates {
  const { now = Date.now, random = Math.random, onChange = () => {} } = options;
  const gates = new Map<string, { topic: string; failures: number; until: number }>();
  const id = (topic: string, partition: number) => `${partition}\u0000${topic}`;

  return {
    closedUntil(topic, partition) {
      const gate = gates.get(id(topic, partition));
      return gate !== undefined && gate.until > now() ? gate.until : 0;
    },
    failed(topic, partition, error) {
      const key = id(topic, partition);
      const gate = gates.get(key) ?? { topic, failures: 0, until: 0 };
      gate.failures++;
      gate.until = now() + backoffDelay(options.backoffMs, gate.failures, random());
      gates.set(key, gate);
      if (gate.failures === 1) onChange({ topic, partition, closed: true, error });
      return gate.until;
    },
    succeeded(topic, partition) {
      if (gates.delete(id(topic, partition))) onChange({ topic, partition, closed: false });
    },
    closedPerTopic() {
      const counts = new Map<string, number>();
      for (const gate of gates.values()) counts.set(gate.topic, (counts.get(gate.topic) ?? 0) + 1);
      return counts;
    },
  };
}
