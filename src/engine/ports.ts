/**
 * The engine's ports: what it needs from sources, sinks and the state store, in its own words. The
 * engine knows no transport: adapters in src/sources/, src/sinks/ and src/state/ implement these.
 */

/** One event as a source hands it over. */
export interface SourceEvent {
  /** Identifies the event everywhere: its delivery record, its DLQ key, what the source settles. */
  readonly id: string;
  readonly type: string;
  /**
   * Events with the same key reach the sink in the order the source gave them; when one of them
   * does not go, the engine holds the later ones of that key back. Absent: no order to keep.
   */
  readonly orderingKey?: string;
  /** The source's own record of the event (a row's fields, with its payload), for mappers. */
  readonly record: Readonly<Record<string, unknown>>;
  /** The payload exactly as it was written, when the source has it as text (a JSON column). */
  readonly payloadText?: string;
  /** Why the source could not read this event's payload, when it could not: it goes to the DLQ. */
  readonly unreadable?: string;
  /** When it was written at the source, epoch ms (NaN when unknown): the lag. */
  readonly createdAt: number;
  /** Delivery attempts that failed for this event's own reason before, as the source counts them. */
  readonly attempts?: number;
}

/** What became of events, told to their source in one call. */
export interface Settlement {
  /** Delivered: the source is done with them. */
  readonly delivered?: readonly SourceEvent[];
  /** Dead-lettered (the DLQ holds them): the source gives them up, with why. */
  readonly rejected?: readonly { readonly event: SourceEvent; readonly reason: string }[];
  /** Their delivery failed for a reason of their own and may succeed later: one attempt more. */
  readonly retried?: readonly { readonly event: SourceEvent; readonly reason: string }[];
  /** Not delivered for no fault of theirs (their destination was away, the cycle stopped): they come again as they are. */
  readonly released?: readonly SourceEvent[];
}

/** The events one poll, claim or delivery of a source handed over. */
export interface SourceBatch {
  /** How many events the batch holds. */
  readonly count: number;
  /** The source has more waiting right now: ask again at once. */
  readonly more: boolean;
  /**
   * The events in the source's order, `size` at a time (the last slice may be shorter), read as
   * each slice is reached, so that a large batch is never all objects at once. Iterate once.
   */
  slices(size: number): Iterable<readonly SourceEvent[]>;
  /**
   * Tells the source what became of some of the batch's events, and resolves once the source has
   * taken it, with the events it could not settle (a mark that failed): those come again. Every
   * event is settled at most once.
   */
  settle(settlement: Settlement): Promise<SettleReport>;
}

/** The events a settle could not tell the source about, and why. */
export interface SettleReport {
  readonly failed: readonly { readonly id: string; readonly error: unknown }[];
}

/**
 * Where events come from: a table polled or claimed, a queue that pushes. The engine asks when
 * (`ready`) apart from what (`take`), so that a poll's interval, a notification and a queue's
 * deliveries are each the source's own business, and the engine's timing (a backoff after a
 * failure, a breaker) stays the engine's.
 */
export interface Source {
  /**
   * How instances share it: "exclusive" (the default), one instance at a time runs the pipeline,
   * under a lease; "shared", every instance runs it and the source divides the events itself (a
   * claim of rows with a lease of their own).
   */
  readonly sharing?: "exclusive" | "shared";
  /**
   * True when a take may run while the previous batch's settles are still in flight, because the
   * source hands nothing over again that is not settled (claimed rows wait for their claim to
   * lapse). Otherwise (a Find that returns every unmarked row) the settles finish first.
   */
  readonly takesWhileSettling?: boolean;
  /**
   * True when a batch holds at most a bounded number of events (a claim of N rows): memory stays
   * bounded by itself, so the engine does not pace full collections by rows for it
   * (HOBOM_GC_EVERY_ROWS is for sources whose one take returns every pending event, however many)
   * but runs one after each batch that came back full (`more`: a backlog is being drained).
   */
  readonly boundedBatches?: boolean;
  /**
   * Resolves when the next batch should be taken: a poll's interval since the previous take has
   * passed (at once when the source said it has more), a notification came, a queue holds
   * messages. Resolves at once when `signal` aborts.
   */
  ready(signal: AbortSignal): Promise<void>;
  /** Takes the next batch now. Rejects with a DependencyError when the source cannot be reached. */
  take(signal: AbortSignal): Promise<SourceBatch>;
  /**
   * A DLQ replay delivered events that the source had given up: settle them as delivered.
   * "gone" when the source no longer has them (cleaned up, or already final).
   */
  redelivered(ids: readonly string[]): Promise<"done" | "gone">;
  /** Stops waiting and lets go of connections; idempotent. */
  close(): Promise<void>;
}

/** A message for a sink and the events it delivers (one, or several for a batch format such as a log array). */
export interface Encoded<M> {
  readonly events: readonly SourceEvent[];
  readonly message: M;
  /** What counts against the sink's byte limit. */
  readonly bytes: number;
  /** What the DLQ keeps for each of `events` if the sink refuses the message, in the same order. */
  readonly deadLetterValues: readonly string[];
  /** Where the message is bound (a topic), under which key and with which headers, for the DLQ entry's metadata and its replay. */
  readonly destination?: string;
  readonly recordKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An event that cannot become a message, and what the DLQ keeps for it. */
export interface Unencodable {
  readonly event: SourceEvent;
  readonly value: string;
  readonly error: Error;
  /** False when `value` is the raw record (its payload could not be mapped): replaying it is wrong. */
  readonly replayable: boolean;
  readonly destination?: string;
  readonly recordKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** How a pipeline turns events into its sink's messages, and a DLQ entry back into one. */
export interface Codec<M> {
  /** Where every message of the pipeline goes (its one topic), for DLQ entries of events that never became one. */
  readonly destination?: string;
  /** Events (in order) → messages; what cannot become one is returned with why. */
  encode(events: readonly SourceEvent[], context: { readonly now: Date; readonly limits: SinkLimits }): { messages: Encoded<M>[]; unencodable: Unencodable[] };
  /**
   * The message a DLQ entry of this pipeline stands for, to deliver it again (with where it was
   * bound, when the entry's metadata says); throws PermanentEventError when it cannot be one.
   */
  replay(entry: ReplayEntry): M;
}

/** What a DLQ entry holds, for its replay. */
export interface ReplayEntry {
  readonly eventId: string;
  readonly eventType: string;
  /** The stored value, exactly. */
  readonly value: string;
  readonly destination?: string;
  readonly recordKey?: string;
  /** The headers it was sent with, when the entry recorded them. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** How much one delivery may carry. */
export interface SinkLimits<M = unknown> {
  /** Messages per delivery (1 for a sink that takes one at a time). */
  readonly maxEvents: number;
  /** Bytes per delivery (framing included) and per message (its own bytes). */
  readonly maxBytes: number;
  /** The setting that sets `maxBytes`, named in errors. */
  readonly maxBytesSetting: string;
  /** Bytes the sink's protocol adds around each message and each delivery, counted against maxBytes. */
  readonly framing?: { readonly perDelivery: number; perMessage(message: M): number };
}

/**
 * What became of one message. A failed one says whose the failure is: `rejected` — the message is
 * at fault, or (`split`) the sink refused a whole request it was part of and the engine splits the
 * refused messages to find which; `retry` — its delivery failed and may succeed later (an attempt
 * counts against the event); `deferred` — its destination cannot take it now (a partition's leader
 * is away), nothing counts against it.
 */
export type DeliveryOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly kind: "rejected"; readonly error: Error; readonly split?: boolean }
  | { readonly ok: false; readonly kind: "retry" | "deferred"; readonly error: Error };

/** Where events go. */
export interface Sink<M> {
  readonly limits: SinkLimits<M>;
  /**
   * True when delivering a message twice does no harm beyond a duplicate (Kafka); false when a
   * second delivery fails or does harm (a save with a unique index): the engine then records
   * each delivery before the source settles it, and checks its ownership before each one.
   */
  readonly idempotent: boolean;
  /**
   * Delivers messages and resolves with one outcome per message, in order, once each is
   * acknowledged or has failed. Messages with the same ordering key (the codec puts it in the
   * message: Kafka's record key) are delivered in their order, and a key stops at its first
   * failure. Rejects when nothing could be delivered: SinkUnavailableError (its breaker opens),
   * DestinationError (the pipelines of that destination wait), or a PermanentEventError (every
   * message refused for it, as if each came back rejected and split).
   */
  deliver(messages: readonly M[], signal: AbortSignal): Promise<DeliveryOutcome[]>;
  /** Lets go of connections without waiting for deliveries in flight; idempotent. */
  close(): Promise<void>;
}

/**
 * The record that an event reached its sink, written right after the acknowledgement, so that an
 * event handed over again (its settle failed, the process died) is only settled, not delivered again.
 */
export interface DeliveryLedger {
  /** Which of these events of `pipeline` are recorded as delivered. */
  delivered(pipeline: string, ids: readonly string[]): Promise<Set<string>>;
  /** Records these events as delivered, for the delivery TTL. */
  record(pipeline: string, ids: readonly string[]): Promise<void>;
}

/** An event that could not be delivered, as the DLQ keeps it. */
export interface DeadLetter {
  readonly pipeline: string;
  /** The pipeline's DLQ prefix, e.g. `dlq:menu:`; the store adds its namespace. */
  readonly prefix: string;
  readonly eventId: string;
  readonly eventType: string;
  /** Exactly the bytes stored under the key (for HoBom, what the Go processor stored). */
  readonly value: string;
  readonly reason: string;
  /** Where it was bound, for operators (a topic). */
  readonly destination?: string;
  readonly recordKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** False when `value` is the raw record (its payload could not be mapped): replaying it is wrong. */
  readonly replayable: boolean;
  readonly failedAt: Date;
  /** Delivery attempts that failed before it was given up. */
  readonly attempts: number;
}

/** The dead-letter queue, as the engine writes to it. */
export interface DeadLetterStore {
  /** Stores the entry and its metadata in one atomic step; putting one again keeps its first failure time. */
  put(letter: DeadLetter): Promise<void>;
}

/** Leases that make one instance at a time the owner of a name (a pipeline, a DLQ entry being replayed). */
export interface LeaseStore {
  /** Takes the lease if nobody holds it; true when this token now holds it for `ttlMs`. */
  acquire(name: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease to `ttlMs` from now if this token still holds it; false when it was lost. */
  renew(name: string, token: string, ttlMs: number): Promise<boolean>;
  /** Whether this token holds the lease right now (one round trip). */
  holds(name: string, token: string): Promise<boolean>;
  /** Gives the lease up if this token holds it, so another instance can take it at once. */
  release(name: string, token: string): Promise<void>;
}
