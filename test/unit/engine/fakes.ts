/**
 * In-memory fakes of the relay's ports (src/relay/ports.ts), small enough to read in one go. They
 * share a `Timeline` so that a test can assert the order of effects across fakes ("DLQ put
 * before markFailed", "mark only after the ack").
 */
import type { OutboxRow } from "../../../src/grpc/wire-types.ts";
import type {
  SaveStudyMaterialRequest,
  StudyMaterialRequest,
  StudyMaterialResponse,
} from "../../../src/grpc/wire-types.ts";
import type { RelayMetrics, RowEvent } from "../../../src/observability/metrics.ts";
import type { PipelineName } from "../../../src/pipelines/pipeline.ts";
import type {
  DeadLetter,
  DeadLetterStore,
  DeliveryLedger,
  EventSink,
  SendOutcome,
  KafkaRecord,
  OutboxSource,
  PendingRows,
  StudyMaterialService,
} from "../../../src/relay/ports.ts";

/** Effects in the order they happened, e.g. `send:hobom.messages:e1,e2`, `markSent:e1`. */
export type Timeline = string[];

type Row = OutboxRow<unknown>;
type Status = "PENDING" | "SENT" | "FAILED";

/** An outbox that keeps rows by event type and answers Find with the PENDING ones, in order. */
export class FakeOutbox implements OutboxSource {
  readonly status = new Map<string, Status>();
  readonly failedReasons = new Map<string, string>();
  /** Thrown by markSent for these event ids (once each, unless `sticky`). */
  markSentErrors = new Map<string, { error: unknown; sticky?: boolean }>();
  markFailedError: unknown;
  findError: unknown;
  /** When set, every markSent waits for it before it answers. */
  markSentHold: Promise<void> | undefined;
  /** Every `decode(start, end)` the relay asked of a Find's rows, with the Find's event type. */
  readonly decoded: [eventType: string, start: number, end: number][] = [];
  private readonly rows: Row[] = [];

  constructor(readonly timeline: Timeline = []) {}

  add(...rows: Row[]): this {
    for (const row of rows) {
      this.rows.push(row);
      this.status.set(row.eventId, "PENDING");
    }
    return this;
  }

  async findPending(eventType: string): Promise<PendingRows> {
    this.timeline.push(`find:${eventType}`);
    if (this.findError !== undefined) throw this.findError;
    const pending = this.rows.filter((row) => row.eventType === eventType && this.status.get(row.eventId) === "PENDING");
    return {
      count: pending.length,
      decode: (start, end) => {
        this.decoded.push([eventType, start, end]);
        return pending.slice(start, end);
      },
    };
  }

  async markSent(eventId: string): Promise<void> {
    await this.markSentHold;
    const failure = this.markSentErrors.get(eventId);
    if (failure) {
      if (!failure.sticky) this.markSentErrors.delete(eventId);
      this.timeline.push(`markSent-failed:${eventId}`);
      throw failure.error;
    }
    this.timeline.push(`markSent:${eventId}`);
    this.status.set(eventId, "SENT");
  }

  async markFailed(eventId: string, reason: string): Promise<void> {
    if (this.markFailedError !== undefined) {
      this.timeline.push(`markFailed-failed:${eventId}`);
      throw this.markFailedError;
    }
    this.timeline.push(`markFailed:${eventId}`);
    this.status.set(eventId, "FAILED");
    this.failedReasons.set(eventId, reason);
  }

  statusOf(eventId: string): Status | undefined {
    return this.status.get(eventId);
  }
}

/**
 * A sink that records each send. `behaviour` may throw to refuse the whole send (nothing is then
 * kept), or return one outcome per record (only the `ok` ones are kept); returning nothing acks all.
 */
export class FakeSink implements EventSink {
  readonly sends: { topic: string; records: KafkaRecord[] }[] = [];
  readonly acked: KafkaRecord[] = [];
  behaviour: (topic: string, records: readonly KafkaRecord[], call: number) => void | SendOutcome[] | Promise<void | SendOutcome[]> = () => {};

  constructor(readonly timeline: Timeline = []) {}

  async send(topic: string, records: readonly KafkaRecord[]): Promise<SendOutcome[]> {
    const call = this.sends.length;
    this.sends.push({ topic, records: [...records] });
    let outcomes: SendOutcome[];
    try {
      outcomes = (await this.behaviour(topic, records, call)) ?? records.map(() => ({ ok: true }));
    } catch (error) {
      this.timeline.push(`send-refused:${records.map((record) => record.key).join(",")}`);
      throw error;
    }
    const acked = records.filter((_, index) => outcomes[index]?.ok);
    const failed = records.filter((_, index) => !outcomes[index]?.ok);
    this.timeline.push(`send:${acked.map((record) => record.key).join(",")}`);
    if (failed.length > 0) this.timeline.push(`send-failed:${failed.map((record) => record.key).join(",")}`);
    this.acked.push(...acked);
    return outcomes;
  }
}

/** A delivery ledger on a map; `recordError` makes `record` throw. */
export class FakeLedger implements DeliveryLedger {
  readonly recorded = new Map<PipelineName, Set<string>>();
  recordError: unknown;
  deliveredError: unknown;
  /** When set, every record waits for it before it is written. */
  recordHold: Promise<void> | undefined;

  constructor(readonly timeline: Timeline = []) {}

  async delivered(pipeline: PipelineName, eventIds: readonly string[]): Promise<Set<string>> {
    if (this.deliveredError !== undefined) throw this.deliveredError;
    const known = this.recorded.get(pipeline) ?? new Set<string>();
    return new Set(eventIds.filter((eventId) => known.has(eventId)));
  }

  async record(pipeline: PipelineName, eventIds: readonly string[]): Promise<void> {
    await this.recordHold;
    if (this.recordError !== undefined) {
      this.timeline.push(`record-failed:${eventIds.join(",")}`);
      throw this.recordError;
    }
    this.timeline.push(`record:${eventIds.join(",")}`);
    const known = this.recorded.get(pipeline) ?? new Set<string>();
    for (const eventId of eventIds) known.add(eventId);
    this.recorded.set(pipeline, known);
  }

  has(pipeline: PipelineName, eventId: string): boolean {
    return this.recorded.get(pipeline)?.has(eventId) ?? false;
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

/** The LLM and the study-material store; each behaviour may throw. */
export class FakeStudyMaterial implements StudyMaterialService {
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
  readonly breaker: boolean[] = [];
  readonly ownership: { pipeline: string; owned: boolean }[] = [];

  rows(event: RowEvent, pipeline: string, count: number): void {
    const key = `${pipeline}:${event}`;
    this.rowCounts.set(key, (this.rowCounts.get(key) ?? 0) + count);
  }
  cycle(pipeline: string, _seconds: number, outcome: string): void {
    this.cycles.push({ pipeline, outcome });
  }
  publish(): void {}
  oldestRowAge(): void {}
  breakerOpen(open: boolean): void {
    this.breaker.push(open);
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
    outbox: new FakeOutbox(timeline),
    sink: new FakeSink(timeline),
    ledger: new FakeLedger(timeline),
    dlq: new FakeDeadLetters(timeline),
    studyMaterial: new FakeStudyMaterial(timeline),
    metrics: new RecordingMetrics(),
  };
}
