import { describe, expect, test } from "bun:test";
import { withBreaker } from "../../../src/engine/breaker.ts";
import { DependencyError, DestinationError, PermanentEventError, SinkUnavailableError } from "../../../src/engine/errors.ts";
import type { Pipeline } from "../../../src/engine/pipeline.ts";
import { createReplayer, type LetterStore, ReplayError, type StoredLetter } from "../../../src/engine/replay.ts";
import { BackendCallError } from "../../../src/grpc/status.ts";
import { lawCodec } from "../../../src/hobom/codecs/law-codec.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import type { KafkaMessage } from "../../../src/sinks/kafka/message.ts";
import { createStudyMaterialSink } from "../../../src/sinks/study-material/sink.ts";
import { RedisError } from "../../../src/state/errors.ts";
import { kafkaCodecOf } from "../hobom/codecs/codec-of.ts";
import { createWorld, FakeLeases, FakeSink, FakeSource } from "./fakes.ts";

const KEY = "ns:dlq:menu:e1";
const STORED = '{"title":"hello"}';
const META = { eventId: "e1", eventType: "MESSAGE", reason: "kafka refused it", replayable: true, topic: "hobom.messages", recordKey: "e1" };

/** DLQ entries in memory. */
class FakeLetters implements LetterStore {
  readonly entries = new Map<string, StoredLetter>();
  readonly removed: string[] = [];
  constructor(readonly timeline: string[]) {}
  async get(key: string) {
    return this.entries.get(key);
  }
  async remove(key: string) {
    this.timeline.push(`remove:${key}`);
    this.removed.push(key);
    return this.entries.delete(key);
  }
}

function setup() {
  const world = createWorld();
  const letters = new FakeLetters(world.timeline);
  const leases = new FakeLeases();
  const lines: { level: string; msg: string; [field: string]: unknown }[] = [];
  const log = createLogger({ level: "info", write: (line) => void lines.push(JSON.parse(line)) });
  let clock = 1_000_000;
  const sink = withBreaker(world.sink, { dependency: "kafka", backoffMs: [1_000], now: () => clock, random: () => 0 });
  const pipeline: Pipeline<KafkaMessage> = {
    name: "message",
    dlqPrefix: "dlq:menu:",
    source: world.source,
    codec: kafkaCodecOf("message"),
    sink,
    description: {},
  };
  const replay = createReplayer({ letters, ledger: world.ledger, leases, lockTtlMs: 30_000, log, metrics: world.metrics });
  letters.entries.set(KEY, { key: KEY, value: STORED, meta: META });
  world.source.add({ id: "e1", type: "MESSAGE", record: {}, createdAt: Number.NaN });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as ReplayError,
    );
  return {
    ...world,
    letters,
    leases,
    lines,
    pipeline,
    replay,
    failure,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe("createReplayer", () => {
  test("delivers the entry through the pipeline's codec and sink, records it, settles it at its source and deletes the entry", async () => {
    const { replay, pipeline, sink, ledger, source, letters, timeline, leases } = setup();
    expect(await replay(pipeline, KEY, "e1")).toEqual({ key: KEY, delivered: true, settled: "done" });
    expect(sink.acked).toEqual([
      { topic: "hobom.messages", key: "e1", value: STORED, headers: { "event-id": "e1", "event-type": "MESSAGE", source: "for-hobom-backend" } },
    ]);
    expect(timeline).toEqual(["send:e1", "record:e1", `remove:${KEY}`]);
    expect(ledger.has("message", "e1")).toBe(true);
    expect(source.redeliveredIds).toEqual(["e1"]);
    expect(source.statusOf("e1")).toBe("SENT");
    expect(letters.entries.has(KEY)).toBe(false);
    expect(leases.calls).toEqual([`acquire:dlq-retry:${KEY}`, `release:dlq-retry:${KEY}`]);
    expect(leases.held.size).toBe(0);
  });

  test("counts a completed replay as replayed of its pipeline, and a replay that did not complete not at all", async () => {
    const { replay, pipeline, metrics, letters, failure } = setup();
    await replay(pipeline, KEY, "e1");
    expect(metrics.count("message", "replayed")).toBe(1);
    letters.entries.set(KEY, { key: KEY, value: STORED, meta: { ...META, replayable: false } });
    expect((await failure(replay(pipeline, KEY, "e1")))?.kind).toBe("not replayable");
    expect(metrics.count("message", "replayed")).toBe(1);
  });

  test("hands the codec the entry with where it was bound, from its metadata (none for an entry the Go processor wrote)", async () => {
    const { replay, pipeline, letters, ledger } = setup();
    const entries: unknown[] = [];
    const codec = pipeline.codec;
    const spied = {
      ...pipeline,
      codec: {
        ...codec,
        replay: (entry: Parameters<typeof codec.replay>[0]) => {
          entries.push(entry);
          return codec.replay(entry);
        },
      },
    };
    await replay(spied, KEY, "e1");
    ledger.recorded.clear();
    letters.entries.set(KEY, { key: KEY, value: STORED, meta: null });
    await replay(spied, KEY, "e1");
    expect(entries).toEqual([
      { eventId: "e1", eventType: "MESSAGE", value: STORED, destination: "hobom.messages", recordKey: "e1" },
      { eventId: "e1", eventType: "", value: STORED, destination: undefined, recordKey: undefined },
    ]);
  });

  test("takes the eventId from the key for an entry the Go processor wrote, and the event type from the pipeline", async () => {
    const { replay, pipeline, sink, letters } = setup();
    letters.entries.set(KEY, { key: KEY, value: STORED, meta: null });
    await replay(pipeline, KEY, "e1");
    expect(sink.acked[0]?.headers).toEqual({ "event-id": "e1", "event-type": "MESSAGE", source: "for-hobom-backend" });
  });

  test("takes the eventId from the metadata when the key holds only its digest", async () => {
    const { replay, pipeline, sink, letters, source } = setup();
    const digestKey = `ns:dlq:menu:sha256-${"0".repeat(64)}`;
    letters.entries.set(digestKey, { key: digestKey, value: STORED, meta: { ...META, eventId: "odd id*" } });
    expect(await replay(pipeline, digestKey, `sha256-${"0".repeat(64)}`)).toEqual({ key: digestKey, delivered: true, settled: "gone" });
    expect(sink.acked[0]?.key).toBe("odd id*");
    expect(source.redeliveredIds).toEqual(["odd id*"]);
  });

  test("only settles and deletes an entry whose delivery is already recorded: it is never delivered twice", async () => {
    const { replay, pipeline, sink, ledger, letters } = setup();
    await ledger.record("message", ["e1"]);
    expect(await replay(pipeline, KEY, "e1")).toEqual({ key: KEY, delivered: false, settled: "done" });
    expect(sink.deliveries).toEqual([]);
    expect(letters.entries.has(KEY)).toBe(false);
  });

  test("refuses a retry of an entry another retry holds, and leaves that retry's lock alone", async () => {
    const { replay, pipeline, sink, leases, failure } = setup();
    leases.held.set(`dlq-retry:${KEY}`, "other");
    const error = await failure(replay(pipeline, KEY, "e1"));
    expect(error).toBeInstanceOf(ReplayError);
    expect(error?.kind).toBe("in progress");
    expect(sink.deliveries).toEqual([]);
    expect(leases.held.get(`dlq-retry:${KEY}`)).toBe("other");
  });

  test("says not found for an entry that is gone, and releases its lock", async () => {
    const { replay, pipeline, letters, leases, failure } = setup();
    letters.entries.clear();
    expect((await failure(replay(pipeline, KEY, "e1")))?.kind).toBe("not found");
    expect(leases.held.size).toBe(0);
  });

  test("refuses an entry that holds the raw row, saying why and what to do", async () => {
    const { replay, pipeline, letters, sink, failure } = setup();
    letters.entries.set(KEY, { key: KEY, value: "{}", meta: { ...META, reason: "MESSAGE row e1 has no payload", replayable: false } });
    const error = await failure(replay(pipeline, KEY, "e1"));
    expect(error?.kind).toBe("not replayable");
    expect(error?.message).toBe("the entry holds the raw row (MESSAGE row e1 has no payload); fix the row at its backend, then DELETE the entry");
    expect(sink.deliveries).toEqual([]);
    expect(letters.entries.has(KEY)).toBe(true);
  });

  test("refuses an entry its codec cannot make a message of", async () => {
    const world = setup();
    const law: Pipeline = {
      name: "law",
      dlqPrefix: "dlq:law:",
      source: new FakeSource(),
      codec: lawCodec(),
      sink: withBreaker(new FakeSink(), { dependency: "x", backoffMs: [1] }),
      description: {},
    };
    world.letters.entries.set("ns:dlq:law:l1", { key: "ns:dlq:law:l1", value: "not json", meta: null });
    const error = await world.failure(world.replay(law, "ns:dlq:law:l1", "l1"));
    expect(error?.kind).toBe("not replayable");
    expect(error?.message).toBe("the law entry is not JSON");
    expect(error?.cause).toBeInstanceOf(PermanentEventError);
  });

  test("says unavailable, naming the dependency, when the sink cannot be reached or its breaker is open, and keeps the entry", async () => {
    const { replay, pipeline, sink, letters, failure } = setup();
    sink.behaviour = () => {
      throw new SinkUnavailableError("kafka", "no broker answers");
    };
    const first = await failure(replay(pipeline, KEY, "e1"));
    expect([first?.kind, first?.dependency, first?.message]).toEqual(["unavailable", "kafka", "no broker answers"]);
    // The breaker is open now: the next retry is refused without a delivery.
    const second = await failure(replay(pipeline, KEY, "e1"));
    expect([second?.kind, second?.dependency, second?.message]).toEqual(["unavailable", "kafka", "kafka is unavailable (breaker open)"]);
    expect(sink.deliveries).toHaveLength(1);
    expect(letters.entries.has(KEY)).toBe(true);
  });

  test("says unavailable when the entry's destination cannot take it now: a topic that cannot be written, a partition's leader away", async () => {
    const { replay, pipeline, sink, failure } = setup();
    sink.behaviour = () => {
      throw new DestinationError("kafka", "kafka topic hobom.messages", "topic hobom.messages does not exist");
    };
    const missing = await failure(replay(pipeline, KEY, "e1"));
    expect([missing?.kind, missing?.dependency, missing?.message]).toEqual(["unavailable", "kafka", "topic hobom.messages does not exist"]);
    sink.behaviour = () => [{ ok: false, kind: "deferred", error: new DependencyError("kafka", "partition 2 waits for its leader", { retriable: true }) }];
    const away = await failure(replay(pipeline, KEY, "e1"));
    expect([away?.kind, away?.dependency, away?.message]).toEqual(["unavailable", "kafka", "partition 2 waits for its leader"]);
    sink.behaviour = () => [{ ok: false, kind: "deferred", error: new Error("not now") }];
    expect((await failure(replay(pipeline, KEY, "e1")))?.dependency).toBe("sink");
  });

  test("says upstream failed when the sink refuses the message or fails it for its own reason", async () => {
    const { replay, pipeline, sink, letters, failure } = setup();
    sink.behaviour = () => [{ ok: false, kind: "rejected", error: new PermanentEventError("MESSAGE_TOO_LARGE") }];
    const refused = await failure(replay(pipeline, KEY, "e1"));
    expect([refused?.kind, refused?.message]).toEqual(["upstream failed", "MESSAGE_TOO_LARGE"]);
    sink.behaviour = () => [{ ok: false, kind: "retry", error: new Error("save failed") }];
    expect((await failure(replay(pipeline, KEY, "e1")))?.kind).toBe("upstream failed");
    sink.behaviour = () => {
      throw new TypeError("a bug");
    };
    expect((await failure(replay(pipeline, KEY, "e1")))?.message).toBe("a bug");
    expect(letters.entries.has(KEY)).toBe(true);
  });

  test("keeps the entry when settling at the source fails after the delivery; the next retry only settles", async () => {
    const { replay, pipeline, sink, source, letters, failure } = setup();
    const redelivered = source.redelivered.bind(source);
    source.redelivered = async () => {
      throw new BackendCallError("for-hobom-backend", "PatchOutboxMarkAsSentUseCase", "UNAVAILABLE", "", { retriable: true });
    };
    const error = await failure(replay(pipeline, KEY, "e1"));
    expect(error?.kind).toBe("upstream failed");
    expect(error?.message).toBe(
      "delivered, but settling it at its source failed: for-hobom-backend PatchOutboxMarkAsSentUseCase failed: UNAVAILABLE; the entry is kept and the next retry only settles",
    );
    expect(letters.entries.has(KEY)).toBe(true);
    source.redelivered = redelivered;
    expect(await replay(pipeline, KEY, "e1")).toEqual({ key: KEY, delivered: false, settled: "done" });
    expect(sink.deliveries).toHaveLength(1);
  });

  test("settles and deletes even when recording the delivery failed, and says so", async () => {
    const { replay, pipeline, ledger, letters, lines } = setup();
    ledger.recordError = new RedisError("connection refused");
    expect(await replay(pipeline, KEY, "e1")).toEqual({ key: KEY, delivered: true, settled: "done" });
    expect(letters.entries.has(KEY)).toBe(false);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ["warn", "replayed, but could not record the delivery"],
      ["info", "DLQ entry retried and removed"],
    ]);
  });

  test("answers even when its lock cannot be released: the lock expires by itself", async () => {
    const { replay, pipeline, leases, lines } = setup();
    leases.releaseError = new RedisError("connection refused");
    expect((await replay(pipeline, KEY, "e1")).delivered).toBe(true);
    expect(lines.at(-1)).toMatchObject({ level: "warn", msg: "could not release a DLQ retry lock; it expires by itself", key: KEY });
  });

  test("replays a law entry through the study-material sink: Generate, then save", async () => {
    const world = setup();
    const sink = withBreaker(
      createStudyMaterialSink({
        service: world.studyMaterial,
        generateAttempts: 2,
        generateBackoffMs: [1],
        log: createLogger({ level: "error", write: () => {} }),
      }),
      { dependency: "llm", backoffMs: [1_000] },
    );
    const source = new FakeSource().add({ id: "l1", type: "LAW_CHANGED", record: {}, createdAt: Number.NaN });
    const law: Pipeline = { name: "law", dlqPrefix: "dlq:law:", source, codec: lawCodec(), sink, description: {} };
    const value = '{"diffId":"diff-9","changes":[{"articleNo":"1","changeType":"ADDED","before":"","after":"a"}]}';
    world.letters.entries.set("ns:dlq:law:l1", { key: "ns:dlq:law:l1", value, meta: null });
    expect(await world.replay(law, "ns:dlq:law:l1", "l1")).toEqual({ key: "ns:dlq:law:l1", delivered: true, settled: "done" });
    expect(world.timeline.slice(0, 3)).toEqual(["generate", "save:diff-9", "record:l1"]);
    expect(world.studyMaterial.generated).toEqual([{ changes: [{ articleNo: "1", changeType: "ADDED", before: "", after: "a" }] }]);
    expect(source.statusOf("l1")).toBe("SENT");
  });
});
