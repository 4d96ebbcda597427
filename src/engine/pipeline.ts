/** A pipeline as the engine runs it: a source, how its events become the sink's messages, a sink, and the DLQ prefix that catches what can never be delivered. */
import type { Breaker } from "./breaker.ts";
import type { Codec, Sink, Source } from "./ports.ts";

export interface Pipeline<M = unknown> {
  /** Unique among the pipelines: leases, delivery records, logs and metrics use it. */
  readonly name: string;
  /** Redis key prefix of its DLQ entries, before the configured namespace, e.g. `dlq:menu:`. */
  readonly dlqPrefix: string;
  readonly source: Source;
  readonly codec: Codec<M>;
  /** The sink, behind the breaker shared by every pipeline that writes to it. */
  readonly sink: Sink<M> & Breaker;
  /** Attempts after which an event whose delivery keeps failing for its own reason is dead-lettered; absent: never. */
  readonly maxAttempts?: number;
  /** What the start-up log says about it (kinds, event types, where it writes). */
  readonly description: Readonly<Record<string, unknown>>;
}
