/**
 * In-memory fakes of the engine's ports (src/engine/ports.ts, src/engine/metrics.ts), small enough
 * to read in one go. They share a `Timeline` so that a test can assert the order of effects across
 * fakes ("DLQ put before the rejected settle", "settled only after the ack").
 */
import type { RelayMetrics, RowEvent } from "../../../src/engine/metrics.ts";
import type {
  Codec,
  DeadLetter,
  DeadLetterStore,
  DeliveryLedger,
  DeliveryOutcome,
  Encoded,
  LeaseStore,
  Settlement,
  SettleReport,
  Sink,
  SinkLimits,
  Source,
  SourceBatch,
  SourceEvent,
} from "../../../src/engine/ports.ts";
import type { SaveStudyMaterialRequest, StudyMaterialRequest, StudyMaterialResponse } from "../../../src/hobom/wire-types.ts";
import { KAFKA_FRAMING, type KafkaMessage, messageBytes } from "../../../src/sinks/kafka/message.ts";
import type { StudyMaterialService } from "../../../src/sinks/study-material/sink.ts";

/**
 * Effects in the order they happened: `take`, `send:e1,e2` (what the sink acknowledged),
 * `delivered:e1`, `rejected:e1`, `retried:e1`, `released:e1` (what the source was told),
 * `record:e1,e2`, `dlq:dlq:menu:e1`, `generate`, `save:diff-1`.
 */
export type Timeline = string[];

type Status = "PENDING" | "SENT" | "FAILED";

/**
 * A source that keeps events in order and hands the PENDING ones over on every take. Its batches
 * settle into `status`: delivered → SENT, rejected → FAILED (with the reason), retried → PENDING
 * with one attempt more (handed over with `attempts` next time), released → PENDING as it was.
 */
export class FakeSource implements Source {
  readonly status = new Map<string, Status>();
  readonly reasons = new Map<string, string>();
  readonly attempts = new Map<string, number>();
  /** Every settle call, as it came. */
  readonly settlements: Settlement[] = [];
  /** The sizes of the slices handed out, in order, as the engine read them. */
  readonly read: number[] = [];
  /** Reported as failed by a settle for these ids (once each, unless `sticky`). */
  settleErrors = new Map<string, { error: unknown; sticky?: boolean }>();
  /** When set, every settle waits for it before it answers. */
  settleHold: Promise<void> | undefined;
  /** When set, every settle rejects with it (the source could not be told at all). */
  settleRejection: unknown;
  takeError: unknown;
  /** What the batches say about more waiting. */
  more = false;
  /** Ids that `redelivered` is told; "gone" for those not here. */
  readonly redeliveredIds: string[] = [];
  private readonly events: SourceEvent[] = [];

  constructor(readonly timeline: Timeline = []) {}

  add(...events: SourceEvent[]): this {
    for (const event of events) {
      this.events.push(event);
      this.status.set(event.id, "PENDING");
    }
    return this;
  }

  async ready(): Promise<void> {}

  async take(): Promise<SourceBatch> {
    this.timeline.push("take");
    if (this.takeError !== undefined) throw this.takeError;
    const pending = this.events
      .filter((event) => this.status.get(event.id) === "PENDING")
      .map((event) => (this.attempts.has(event.id) ? { ...event, attempts: this.attempts.get(event.id) } : event));
    return this.batchOf(pending);
  }

  async redelivered(ids: readonly string[]): Promise<"done" | "gone"> {
    this.redeliveredIds.push(...ids);
    let gone = false;
    for (const id of ids) {
      if (this.status.has(id)) this.status.set(id, "SENT");
      else gone = true;
    }
    return gone ? "gone" : "done";
  }

  async close(): Promise<void> {}

  statusOf(id: string): Status | undefined {
    return this.status.get(id);
  }

  /** A batch of exactly these events (in this order, duplicates and all). */
  batchOf(events: readonly SourceEvent[]): SourceBatch {
    const read = this.read;
    return {
      count: events.length,
      more: this.more,
      *slices(size) {
        for (let start = 0; start < events.length; start += size) {
          const slice = events.slice(start, start + size);
          read.push(slice.length);
          yield slice;
        }
      },
      settle: (settlement) => this.settle(settlement),
    };
  }

  private async settle(settlement: Settlement): Promise<SettleReport> {
    this.settlements.push(settlement);
    await this.settleHold;
    if (this.settleRejection !== undefined) throw this.settleRejection;
    const failed: { id: string; error: unknown }[] = [];
    const apply = (kind: string, event: SourceEvent, effect: () => void, canFail: boolean) => {
      const failure = canFail ? this.settleErrors.get(event.id) : undefined;
      if (failure) {
        if (!failure.sticky) this.settleErrors.delete(event.id);
        this.timeline.push(`${kind}-failed:${event.id}`);
        failed.push({ id: event.id, error: failure.error });
        return;
      }
      this.timeline.push(`${kind}:${event.id}`);
      effect();
    };
    for (const event of settlement.delivered ?? []) apply("delivered", event, () => this.status.set(event.id, "SENT"), true);
    for (const { event, reason } of settlement.rejected ?? []) {
      apply(
        "rejected",
        event,
        () => {
          this.status.set(event.id, "FAILED");
          this.reasons.set(event.id, reason);
        },
        true,
      );
    }
    for (const { event } of settlement.retried ?? []) apply("retried", event, () => this.attempts.set(event.id, (this.attempts.get(event.id) ?? 0) + 1), false);
    for (const event of settlement.released ?? []) apply("released", event, () => {}, false);
    return { failed };
  }
}

/** An event with a plain record (for the engine's own tests; the HoBom rows are in ../hobom/payloads.ts). */
export function event(id: string, fields: { orderingKey?: string; value?: string; type?: string; attempts?: number; createdAt?: number } = {}): SourceEvent {
  return {
    id,
    type: fields.type ?? "TEST",
    orderingKey: fields.orderingKey,
    record: { value: fields.value ?? `{"id":"${id}"}` },
    createdAt: fields.createdAt ?? Number.NaN,
    attempts: fields.attempts,
  };
}

/** One Kafka-like message per event, keyed by its id, valued with its record's `value`. */
export function plainCodec(topic = "test.topic"): Codec<KafkaMessage> {
  return {
    encode(events) {
      const messages = events.map((event) => encoded(event, topic));
      return { messages, unencodable: [] };
    },
    replay: (entry) => ({ topic, key: entry.eventId, value: entry.value, headers: { "event-id": entry.eventId } }),
  };
}

/** The message `plainCodec` makes of an event. */
export function encoded(event: SourceEvent, topic = "test.topic"): Encoded<KafkaMessage> {
  const value = String(event.record.value ?? "{}");
  const message: KafkaMessage = { topic, key: event.id, value, headers: { "event-id": event.id } };
  return { events: [event], message, bytes: messageBytes(message), deadLetterValues: [value], destination: topic, recordKey: event.id };
}

/** The limits of the Kafka sink, by default with a 1,000,000-byte HOBOM_KAFKA_MAX_MESSAGE_BYTES. */
export function kafkaLimits(overrides: Partial<SinkLimits<KafkaMessage>> = {}): SinkLimits<KafkaMessage> {
  return { maxEvents: Number.POSITIVE_INFINITY, maxBytes: 1_000_000, maxBytesSetting: "HOBOM_KAFKA_MAX_MESSAGE_BYTES", framing: KAFKA_FRAMING, ...overrides };
}

/**
 * A sink of Kafka-like messages that records each delivery. `behaviour` may throw to refuse the
 * whole delivery (nothing is then kept), or return one outcome per message (only the `ok` ones are
 * kept); returning nothing acknowledges all.
 */
export class FakeSink implements Sink<KafkaMessage> {
  readonly deliveries: KafkaMessage[][] = [];
  readonly acked: KafkaMessage[] = [];
  limits: SinkLimits<KafkaMessage>;
  idempotent = true;
  closed = 0;
  /** What a delivery does; returning nothing acknowledges every message. */
  // biome-ignore lint/suspicious/noConfusingVoidType: behaviours written as blocks (`() => {}`) return void, and mean "acknowledge all"
  behaviour: (messages: readonly KafkaMessage[], call: number, signal: AbortSignal) => void | DeliveryOutcome[] | Promise<void | DeliveryOutcome[]> = () => {};

  constructor(
    readonly timeline: Timeline = [],
    limits: Partial<SinkLimits<KafkaMessage>> = {},
  ) {
    this.limits = kafkaLimits(limits);
  }

  async deliver(messages: readonly KafkaMessage[], signal: AbortSignal): Promise<DeliveryOutcome[]> {
    const call = this.deliveries.length;
    this.deliveries.push([...messages]);
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = (await this.behaviour(messages, call, signal)) ?? messages.map(() => ({ ok: true }));
    } catch (error) {
      this.timeline.push(`send-refused:${keys(messages)}`);
      throw error;
    }
    const acked = messages.filter((_, index) => outcomes[index]?.ok);
    const failed = messages.filter((_, index) => !outcomes[index]?.ok);
    this.timeline.push(`send:${keys(acked)}`);
    if (failed.length > 0) this.timeline.push(`send-failed:${keys(failed)}`);
    this.acked.push(...acked);
    return outcomes;
  }

  async close(): Promise<void> {
    this.closed++;
  }

  /** The keys of every delivery, in order. */
  sentKeys(): string[][] {
    return this.deliveries.map((messages) => messages.map((message) => message.key));
  }
}

const keys = (messages: readonly KafkaMessage[]) => messages.map((message) => message.key).join(",");

/** A delivery ledger on a map; `recordError` makes `record` throw, `deliveredError` makes `delivered` throw. */
export class FakeLedger implements DeliveryLedger {
  readonly recorded = new Map<string, Set<string>>();
  recordError: unknown;
  deliveredError: unknown;
  /** When set, every record waits for it before it is written. */
  recordHold: Promise<void> | undefined;

  constructor(readonly timeline: Timeline = []) {}

  async delivered(pipeline: string, ids: readonly string[]): Promise<Set<string>> {
    if (this.deliveredError !== undefined) throw this.deliveredError;
    const known = this.recorded.get(pipeline) ?? new Set<string>();
    return new Set(ids.filter((id) => known.has(id)));
  }

  async record(pipeline: string, ids: readonly string[]): Promise<void> {
    await this.recordHold;
    if (this.recordError !== undefined) {
      this.timeline.push(`record-failed:${ids.join(",")}`);
      throw this.recordError;
    }
    this.timeline.push(`record:${ids.join(",")}`);
    const known = this.recorded.get(pipeline) ?? new Set<string>();
    for (const id of ids) known.add(id);
    this.recorded.set(pipeline, known);
  }

  has(pipeline: string, id: string): boolean {
    return this.recorded.get(pipeline)?.has(id) ?? false;
  }
}

/** A DLQ that keeps every letter; `putError` makes `put` throw. */
export class FakeDeadLetters implements DeadLetterStore {
  readonly letters: DeadLetter[] = [];
  putError: unknown;

  constructor(readonly timeline: Timeline = []) {}

  async put(letter: DeadLetter): Promise<void> {
    if (this.putError !== undefined) {
      this.timeline.push(`dlq-failed:${letter.eventId}`);
      throw this.putError;
    }
    this.timeline.push(`dlq:${letter.prefix}${letter.eventId}`);
    this.letters.push(letter);
  }

  byEventId(eventId: string): DeadLetter | undefined {
    return this.letters.find((letter) => letter.eventId === eventId);
  }
}

/** Leases in memory, without expiry: a name is held until released; `releaseError` makes `release` throw. */
export class FakeLeases implements LeaseStore {
  readonly held = new Map<string, string>();
  readonly calls: string[] = [];
  releaseError: unknown;

  async acquire(name: string, token: string): Promise<boolean> {
    this.calls.push(`acquire:${name}`);
    if (this.held.has(name)) return false;
    this.held.set(name, token);
    return true;
  }
  async renew(name: string, token: string): Promise<boolean> {
    return this.held.get(name) === token;
  }
  async holds(name: string, token: string): Promise<boolean> {
    this.calls.push(`holds:${name}`);
    return this.held.get(name) === token;
  }
  async release(name: string, token: string): Promise<void> {
    this.calls.push(`release:${name}`);
    if (this.releaseError !== undefined) throw this.releaseError;
    if (this.held.get(name) === token) this.held.delete(name);
  }
}

/** The LLM and the study-material store; each behaviour may throw. */
export class FakeStudyMaterialService implements StudyMaterialService {
  readonly generated: StudyMaterialRequest[] = [];
  readonly saved: SaveStudyMaterialRequest[] = [];
  generateBehaviour: (request: StudyMaterialRequest, call: number) => StudyMaterialResponse | Promise<StudyMaterialResponse> = () => ({
    summary: "summary",
    keyPoints: ["point"],
    quizzes: [{ type: "OX", question: "q?", answer: "O", explanation: "because", choices: [] }],
  });
  saveBehaviour: (request: SaveStudyMaterialRequest, call: number) => void | Promise<void> = () => {};

  constructor(readonly timeline: Timeline = []) {}

  async generate(request: StudyMaterialRequest): Promise<StudyMaterialResponse> {
    const call = this.generated.length;
    this.generated.push(request);
    this.timeline.push("generate");
    return this.generateBehaviour(request, call);
  }

  async save(request: SaveStudyMaterialRequest): Promise<void> {
    const call = this.saved.length;
    this.saved.push(request);
    this.timeline.push(`save:${request.diffId}`);
    await this.saveBehaviour(request, call);
  }
}

/** RelayMetrics that remember what they were told. */
export class RecordingMetrics implements RelayMetrics {
  readonly rowCounts = new Map<string, number>();
  readonly cycles: { pipeline: string; outcome: string }[] = [];
  readonly dependencyErrors: string[] = [];
  readonly ownership: { pipeline: string; owned: boolean }[] = [];
  /** Every oldest-row age reported, in seconds. */
  readonly ages: number[] = [];
  publishes = 0;

  rows(event: RowEvent, pipeline: string, count: number): void {
    const key = `${pipeline}:${event}`;
    this.rowCounts.set(key, (this.rowCounts.get(key) ?? 0) + count);
  }
  cycle(pipeline: string, _seconds: number, outcome: string): void {
    this.cycles.push({ pipeline, outcome });
  }
  publish(): void {
    this.publishes++;
  }
  oldestRowAge(_pipeline: string, seconds: number): void {
    this.ages.push(seconds);
  }
  dependencyError(dependency: string): void {
    this.dependencyErrors.push(dependency);
  }
  pipelineOwned(pipeline: string, owned: boolean): void {
    this.ownership.push({ pipeline, owned });
  }
  count(pipeline: string, event: RowEvent): number {
    return this.rowCounts.get(`${pipeline}:${event}`) ?? 0;
  }
}

/** A promise with its resolve exposed, to hold a fake in mid-call. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued microtask and already-due callback run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** One of each fake, all writing to one timeline. */
export function createWorld() {
  const timeline: Timeline = [];
  return {
    timeline,
    source: new FakeSource(timeline),
    sink: new FakeSink(timeline),
    ledger: new FakeLedger(timeline),
    dlq: new FakeDeadLetters(timeline),
    studyMaterial: new FakeStudyMaterialService(timeline),
    metrics: new RecordingMetrics(),
  };
}
