/**
 * The relay's ports: what it needs from the outside, in its own words. The relay knows nothing of
 * grpc-js, kafkajs or Redis; adapters in src/grpc, src/kafka and src/dlq implement these.
 */
import type { KafkaSendError } from "../errors.ts";
import type {
  OutboxRow,
  SaveStudyMaterialRequest,
  StudyMaterialRequest,
  StudyMaterialResponse,
} from "../grpc/wire-types.ts";
import type { PipelineName } from "../pipelines/pipeline.ts";

/**
 * The rows one Find returned, in the backend's order, decoded only when asked for: a Find of
 * for-hobom-backend returns every pending row at once, and 100,000 rows as objects take several
 * times the memory of the bytes they came in.
 */
export interface PendingRows {
  /** How many rows the Find returned. */
  readonly count: number;
  /** Rows `start` to `end` (exclusive), decoded afresh on every call: keep only what is needed. */
  decode(start: number, end: number): OutboxRow<unknown>[];
}

/** One backend outbox as one pipeline sees it. Errors are `BackendCallError`s. */
export interface OutboxSource {
  /** Every PENDING row of one event type, in the backend's order. */
  findPending(eventType: string, signal?: AbortSignal): Promise<PendingRows>;
  /** Marks one row SENT. */
  markSent(eventId: string): Promise<void>;
  /** Marks one row FAILED with the reason; the backend then never returns it again. */
  markFailed(eventId: string, reason: string): Promise<void>;
}

/** A Kafka record as the relay builds it; headers are UTF-8 text. */
export interface KafkaRecord {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What became of one record of a send: acknowledged, or why not. A failed record's error says
 * whether the record is at fault (`retriable` false: split the batch, dead-letter it) or may go
 * through later (`retriable`: its partition's leader is unreachable; the row stays PENDING).
 */
export type SendOutcome = { readonly ok: true } | { readonly ok: false; readonly error: KafkaSendError };

/** Where events go. */
export interface EventSink {
  /**
   * Sends records to one topic and resolves once each is acknowledged (with the configured acks)
   * or has failed, with one outcome per record, in order: only an `ok` record counts as delivered.
   * Rejects when nothing can be sent at all: Kafka unreachable (a retriable `KafkaSendError` or
   * `KafkaUnavailableError`), the topic missing or not writable (`KafkaTopicError`), or every record
   * refused for one reason (a non-retriable `KafkaSendError`, as if each record failed with it).
   */
  send(topic: string, records: readonly KafkaRecord[]): Promise<SendOutcome[]>;
}

/**
 * The record that an event reached its destination (Kafka, or the law save), written after the
 * acknowledgement and before the mark, so that a row fetched again is only marked, not re-sent.
 * Errors are `RedisError`s.
 */
export interface DeliveryLedger {
  /** Which of these events are recorded as delivered. */
  delivered(pipeline: PipelineName, eventIds: readonly string[]): Promise<Set<string>>;
  /** Records these events as delivered, for the delivery TTL. */
  record(pipeline: PipelineName, eventIds: readonly string[]): Promise<void>;
}

/** An event that could not be delivered, as the DLQ keeps it. */
export interface DeadLetter {
  readonly pipeline: PipelineName;
  /** The pipeline's DLQ prefix, e.g. `dlq:menu:`; the store adds its namespace. */
  readonly prefix: string;
  readonly eventId: string;
  /** Exactly the bytes stored under the key, as the Go processor stored them. */
  readonly value: string;
  readonly reason: string;
  readonly topic?: string;
  readonly recordKey?: string;
  readonly eventType?: string;
  /** False when `value` is the raw row (its payload could not be mapped): publishing it is wrong. */
  readonly replayable: boolean;
  readonly failedAt: Date;
}

/** The dead-letter queue. Errors are `RedisError`s. */
export interface DeadLetterStore {
  /**
   * Stores the entry (value under `prefix + eventId`, its metadata beside it, both with the DLQ
   * TTL) in one atomic step. Putting an entry again keeps its first failure time and counts the
   * attempts.
   */
  put(letter: DeadLetter): Promise<void>;
}

/** The LLM and the study-material store, as the law pipeline uses them. */
export interface StudyMaterialService {
  /** One LLM Generate call (no retry here: the law pipeline retries). */
  generate(request: StudyMaterialRequest): Promise<StudyMaterialResponse>;
  /** SaveStudyMaterial on for-hobom-backend; not idempotent (a second save of a diffId fails). */
  save(request: SaveStudyMaterialRequest): Promise<void>;
}

/**
 * Leases that make one instance at a time the owner of a pipeline. A token identifies one holding
 * (one instance, one acquisition). Errors are `RedisError`s.
 */
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
