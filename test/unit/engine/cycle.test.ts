import { describe, expect, test } from "bun:test";
import { withBreaker } from "../../../src/engine/breaker.ts";
import { type CycleContext, type CycleOutcome, runCycle, SETTLES_AHEAD, SLICE_EVENTS } from "../../../src/engine/cycle.ts";
import { BreakerOpenError, DependencyError, LeaseLostError, MappingError, PermanentEventError } from "../../../src/engine/errors.ts";
import { OPEN_FENCE } from "../../../src/engine/fence.ts";
import { createOnce } from "../../../src/engine/once.ts";
import type { Codec, Sink, SourceEvent } from "../../../src/engine/ports.ts";
import { BackendCallError } from "../../../src/grpc/status.ts";
import { rawRow } from "../../../src/hobom/codecs/rows.ts";
import { logItem } from "../../../src/hobom/mappers/log.ts";
import type { PipelineName } from "../../../src/hobom/pipeline.ts";
import { PIPELINES } from "../../../src/hobom/pipelines.ts";
import { createLogger, type Logger, silentLogger } from "../../../src/observability/logger.ts";
import { KafkaSendError, KafkaUnreachableError } from "../../../src/sinks/kafka/errors.ts";
import type { KafkaMessage } from "../../../src/sinks/kafka/message.ts";
import { rowEvent } from "../../../src/sources/grpc-outbox/source.ts";
import { RedisError } from "../../../src/state/errors.ts";
import { kafkaCodecOf } from "../hobom/codecs/codec-of.ts";
import { approval, logPayload, messagePayload, outboxEvent, outboxRow } from "../hobom/payloads.ts";
import { createWorld, deferred, event, flush, kafkaLimits, plainCodec } from "./fakes.ts";

const NOW = new Date("2024-05-06T07:08:09Z");
const NANOS = 1_714_979_289_000_000_000n;
const TOPIC = "hobom.messages";

function setup(
  name: PipelineName = "message",
  options: {
    maxMessageBytes?: number;
    maxEvents?: number;
    sink?: (world: ReturnType<typeof createWorld>) => Sink<KafkaMessage>;
    codec?: Codec<KafkaMessage>;
    log?: Logger;
    maxAttempts?: number;
    onSettled?: (events: number) => void;
  } = {},
) {
  const world = createWorld();
  world.sink.limits = kafkaLimits({ maxBytes: options.maxMessageBytes ?? 1_000_000, maxEvents: options.maxEvents ?? Number.POSITIVE_INFINITY });
  const row = PIPELINES.find((candidate) => candidate.name === name);
  if (!row) throw new Error(`no pipeline ${name}`);
  const controller = new AbortController();
  const context: CycleContext<KafkaMessage> = {
    pipeline: { name, dlqPrefix: row.dlqPrefix },
    codec: options.codec ?? kafkaCodecOf(name, () => NANOS),
    sink: options.sink ? options.sink(world) : world.sink,
    ledger: world.ledger,
    dlq: world.dlq,
    log: options.log ?? silentLogger,
    metrics: world.metrics,
    fence: OPEN_FENCE,
    once: createOnce(),
    now: () => NOW,
    maxAttempts: options.maxAttempts,
    onSettled: options.onSettled,
  };
  /** One batch taken from the source through the cycle, its settles still running. */
  const run = async (with_: CycleContext<KafkaMessage> = context) => runCycle(with_, await world.source.take(), controller.signal);
  return { ...world, context, controller, run, cycle: (with_?: CycleContext<KafkaMessage>) => settled(run(with_)) };
}

/** The cycle's outcome once its settles have finished (the loop waits for them before the next take). */
async function settled(cycle: Promise<CycleOutcome>): Promise<CycleOutcome> {
  const { settled: settles, ...outcome } = await cycle;
  await settles;
  return outcome;
}

const messageEvents = (...eventIds: string[]) => eventIds.map((eventId) => outboxEvent(eventId, "MESSAGE", messagePayload({ title: eventId })));
const unavailable = () => new KafkaUnreachableError("connection refused");
const statuses = (source: { statusOf(id: string): string | undefined }, ...ids: string[]) => ids.map((id) => source.statusOf(id));

describe("runCycle (event pipelines)", () => {
  test("settles an event delivered only after the sink acknowledged it, and records its delivery", async () => {
    const { source, sink, timeline, ledger, cycle } = setup();
    source.add(...messageEvents("e1", "e2"));
    sink.behaviour = () => {
      expect(statuses(source, "e1", "e2")).toEqual(["PENDING", "PENDING"]);
    };
    expect(await cycle()).toEqual({ status: "done", fetched: 2, more: false });
    expect(timeline.slice(0, 2)).toEqual(["take", "send:e1,e2"]);
    expect(timeline.slice(2).sort()).toEqual(["delivered:e1", "delivered:e2", "record:e1,e2"]);
    expect(ledger.has("message", "e1")).toBe(true);
    expect(sink.deliveries[0]?.map((message) => message.topic)).toEqual([TOPIC, TOPIC]);
    expect(sink.sentKeys()).toEqual([["e1", "e2"]]);
  });

  test("finishes at once when the source has nothing, reporting no lag", async () => {
    const { sink, metrics, cycle } = setup();
    expect(await cycle()).toEqual({ status: "done", fetched: 0, more: false });
    expect(sink.deliveries).toEqual([]);
    expect(metrics.ages).toEqual([0]);
    expect(metrics.count("message", "fetched")).toBe(0);
  });

  test("passes the source's `more` on, so that the loop takes again at once", async () => {
    const { source, cycle } = setup();
    source.more = true;
    expect(await cycle()).toEqual({ status: "done", fetched: 0, more: true });
    source.add(...messageEvents("e1"));
    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: true });
  });

  test("only settles events recorded as delivered and never delivers them again", async () => {
    const { source, sink, ledger, cycle } = setup();
    source.add(...messageEvents("e1", "e2"));
    await ledger.record("message", ["e1"]);
    await cycle();
    expect(sink.sentKeys()).toEqual([["e2"]]);
    expect(statuses(source, "e1", "e2")).toEqual(["SENT", "SENT"]);
  });

  test("dead-letters a row without payload before settling it rejected, and delivers the others", async () => {
    const { source, dlq, timeline, cycle } = setup();
    const bare = outboxEvent("e1", "MESSAGE", null);
    source.add(bare, ...messageEvents("e2"));
    expect((await cycle()).status).toBe("done");
    expect(timeline.indexOf("dlq:dlq:menu:e1")).toBeGreaterThanOrEqual(0);
    expect(timeline.indexOf("dlq:dlq:menu:e1")).toBeLessThan(timeline.indexOf("rejected:e1"));
    // Its destination (the topic, which the old relay named here) is the known bug at the end of this file.
    const { destination: _destination, ...letter } = dlq.byEventId("e1")!;
    expect(letter).toEqual({
      pipeline: "message",
      prefix: "dlq:menu:",
      eventId: "e1",
      eventType: "MESSAGE",
      value: rawRow(bare),
      reason: "MESSAGE row e1 has no payload",
      recordKey: undefined,
      replayable: false,
      failedAt: NOW,
      attempts: 1,
    });
    expect(statuses(source, "e1", "e2")).toEqual(["FAILED", "SENT"]);
    expect(source.reasons.get("e1")).toBe("MESSAGE row e1 has no payload");
  });

  test("dead-letters a row the source could not decode, with the raw row, as not replayable", async () => {
    const { source, dlq, cycle } = setup();
    const row = { ...outboxRow("e1", "MESSAGE", null), decodeError: "invalid wire type 7 at offset 12", raw: "EgJlMQ==" };
    source.add(rowEvent(row), ...messageEvents("e2"));
    await cycle();
    expect(dlq.letters.map((letter) => [letter.eventId, letter.value, letter.reason, letter.replayable, letter.attempts])).toEqual([
      ["e1", JSON.stringify(row), "MESSAGE row e1 cannot be decoded: invalid wire type 7 at offset 12", false, 1],
    ]);
    expect(statuses(source, "e1", "e2")).toEqual(["FAILED", "SENT"]);
  });

  test("dead-letters only the message the sink refuses for good and delivers the rest of its delivery", async () => {
    const { source, sink, dlq, cycle } = setup();
    source.add(...messageEvents("e1", "e2", "bad", "e4"));
    sink.behaviour = (messages) => {
      if (messages.some((message) => message.key === "bad")) throw new PermanentEventError("INVALID_RECORD");
    };
    expect((await cycle()).status).toBe("done");
    expect(dlq.letters.map((letter) => letter.eventId)).toEqual(["bad"]);
    expect(dlq.letters[0]).toMatchObject({ destination: TOPIC, recordKey: "bad", replayable: true, reason: "INVALID_RECORD", attempts: 1 });
    expect(JSON.parse(dlq.letters[0]!.value)).toMatchObject({ title: "bad", sentAt: "2024-05-06T07:08:09Z" });
    expect(statuses(source, "e1", "e2", "bad", "e4")).toEqual(["SENT", "SENT", "FAILED", "SENT"]);
  });

  test("releases a permanently refused event when its DLQ write fails: it comes again as it was", async () => {
    const { source, dlq, timeline, metrics, cycle } = setup();
    source.add(outboxEvent("e1", "MESSAGE", null));
    dlq.putError = new RedisError("connection refused");
    await cycle();
    expect(source.statusOf("e1")).toBe("PENDING");
    expect(timeline).toEqual(["take", "dlq-failed:e1", "released:e1"]);
    expect(metrics.dependencyErrors).toEqual(["redis"]);
    expect(source.attempts.has("e1")).toBe(false);
  });

  test("when the sink cannot be reached, settles nothing, dead-letters nothing and reports the cycle failed", async () => {
    const { source, sink, dlq, ledger, timeline, cycle } = setup();
    source.add(...messageEvents("e1", "e2"));
    const outage = unavailable();
    sink.behaviour = () => {
      throw outage;
    };
    expect(await cycle()).toEqual({ status: "failed", error: outage });
    expect(statuses(source, "e1", "e2")).toEqual(["PENDING", "PENDING"]);
    expect(timeline).toEqual(["take", "send-refused:e1,e2", "released:e1", "released:e2"]);
    expect(dlq.letters).toEqual([]);
    expect(ledger.has("message", "e1")).toBe(false);
  });

  test("behind the breaker, reports the sink unavailable with its retry time and gives nothing up", async () => {
    const { source, dlq, cycle } = setup("message", {
      sink: (world) => {
        world.sink.behaviour = () => {
          throw unavailable();
        };
        return withBreaker(world.sink, { dependency: "kafka", backoffMs: [1_000], now: () => 5_000, random: () => 0 });
      },
    });
    source.add(...messageEvents("e1"));
    const outcome = await cycle();
    expect(outcome.status).toBe("failed");
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect((error as BreakerOpenError).retryAt).toBe(6_000);
    expect((error as BreakerOpenError).dependency).toBe("kafka");
    expect((error as BreakerOpenError).cause).toBeInstanceOf(KafkaUnreachableError);
    expect(source.statusOf("e1")).toBe("PENDING");
    expect(dlq.letters).toEqual([]);
  });

  test("when a settle fails, keeps the delivery recorded so the next cycle only settles the event", async () => {
    const { source, sink, ledger, cycle } = setup();
    source.add(...messageEvents("e1", "e2"));
    source.settleErrors.set("e2", { error: new BackendCallError("for-hobom-backend", "PatchOutboxMarkAsSentUseCase", "UNAVAILABLE", "", { retriable: true }) });
    expect((await cycle()).status).toBe("done");
    expect(statuses(source, "e1", "e2")).toEqual(["SENT", "PENDING"]);
    expect(ledger.has("message", "e2")).toBe(true);

    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(sink.deliveries).toHaveLength(1);
    expect(source.statusOf("e2")).toBe("SENT");
  });

  test("counts a settle that failed for a dependency as that dependency's error", async () => {
    const { source, metrics, cycle } = setup();
    source.add(...messageEvents("e1", "e2"));
    source.settleErrors.set("e1", { error: new BackendCallError("for-hobom-backend", "PatchOutboxMarkAsSentUseCase", "UNAVAILABLE", "", { retriable: true }) });
    await cycle();
    expect(metrics.dependencyErrors).toEqual(["grpc"]);
    expect(metrics.count("message", "marked_sent")).toBe(1);
    expect(metrics.count("message", "published")).toBe(2);
  });

  test("settles an acknowledged delivery without waiting for its record: a Redis that hangs must not hold the settles until the lease lapses", async () => {
    const { source, ledger, run } = setup();
    source.add(...messageEvents("e1", "e2"));
    const redis = deferred();
    ledger.recordHold = redis.promise;
    const cycle = run();
    await flush();
    expect(statuses(source, "e1", "e2")).toEqual(["SENT", "SENT"]);
    expect(ledger.has("message", "e1")).toBe(false);
    redis.resolve();
    await (await cycle).settled;
    expect(ledger.has("message", "e1")).toBe(true);
  });

  test("still settles an acknowledged delivery when recording it fails, and stops there", async () => {
    const { source, ledger, sink, timeline, cycle } = setup("message", { maxMessageBytes: 300 });
    source.add(...messageEvents("e1", "e2"));
    const redisDown = new RedisError("connection refused");
    ledger.recordError = redisDown;
    expect(await cycle()).toEqual({ status: "failed", error: redisDown });
    expect(sink.sentKeys()).toEqual([["e1"]]);
    expect(statuses(source, "e1", "e2")).toEqual(["SENT", "PENDING"]);
    expect(timeline).toContain("released:e2");
  });

  test("stops delivering when the signal aborts, without reporting a failure", async () => {
    const { source, sink, controller, cycle } = setup("message", { maxMessageBytes: 300 });
    source.add(...messageEvents("e1", "e2", "e3"));
    sink.behaviour = () => controller.abort();
    expect(await cycle()).toEqual({ status: "done", fetched: 3, more: false });
    expect(sink.deliveries).toHaveLength(1);
    expect(statuses(source, "e1", "e2", "e3")).toEqual(["SENT", "PENDING", "PENDING"]);
  });

  test("stops when the delivery ledger cannot be asked, and delivers nothing of the slice", async () => {
    const { source, sink, ledger, timeline, cycle } = setup();
    source.add(...messageEvents("e1", "e2"));
    const redisDown = new RedisError("connection refused");
    ledger.deliveredError = redisDown;
    expect(await cycle()).toEqual({ status: "failed", error: redisDown });
    expect(sink.deliveries).toEqual([]);
    expect(timeline).toEqual(["take", "released:e1", "released:e2"]);
  });

  test("maps each angel event type with its own mapper and names it in the headers", async () => {
    const { source, sink, cycle } = setup("angel");
    const terminated = {
      kind: "foster_terminated",
      foster_terminated: { foster_process_id: "p", animal_id: "a", recipient_user_id: "u", reason: "FOSTER_END_REASON_EXPIRED", occurred_at: null },
    };
    source.add(outboxEvent("a1", "ADOPTION_APPROVED", approval()), outboxEvent("f1", "FOSTER_TERMINATED", terminated));
    expect(await cycle()).toEqual({ status: "done", fetched: 2, more: false });
    const [first, last] = sink.acked;
    expect(first?.headers).toEqual({ "event-id": "a1", "event-type": "ADOPTION_APPROVED", source: "for-hobom-angel-backend" });
    expect(last?.topic).toBe("hobom.angel-events");
    expect(last?.headers).toEqual({ "event-id": "f1", "event-type": "FOSTER_TERMINATED", source: "for-hobom-angel-backend" });
    expect(last?.value).toBe(
      '{"eventType":"FOSTER_TERMINATED","recipientUserId":"u","fosterProcessId":"p","animalId":"a","reason":"FOSTER_END_REASON_EXPIRED"}',
    );
  });
});

describe("runCycle (log pipelines)", () => {
  const logEvents = (...eventIds: string[]) => eventIds.map((eventId) => outboxEvent(eventId, "HOBOM_LOG", logPayload({ traceId: eventId })));
  const itemsOf = (events: readonly SourceEvent[]) => events.map((item) => logItem((item.record as { payload: never }).payload));

  test("delivers one JSON array for the slice and settles every event after the ack", async () => {
    const { source, sink, cycle } = setup("log");
    const events = logEvents("l1", "l2", "l3");
    source.add(...events);
    expect((await cycle()).status).toBe("done");
    expect(sink.deliveries).toHaveLength(1);
    const [message] = sink.deliveries[0]!;
    expect(message?.topic).toBe("hobom.logs");
    expect(message?.key).toBe(`hobom-log-${NANOS}`);
    expect(message?.value).toBe(JSON.stringify(itemsOf(events)));
    expect(statuses(source, "l1", "l2", "l3")).toEqual(["SENT", "SENT", "SENT"]);
  });

  test("dead-letters a log item too large alone as a one-element array and delivers the rest", async () => {
    const { source, dlq, timeline, cycle } = setup("log", { maxMessageBytes: 2_000 });
    const huge = outboxEvent("big", "HOBOM_LOG", logPayload({ message: "x".repeat(3_000) }));
    source.add(...logEvents("l1"), huge, ...logEvents("l2"));
    await cycle();
    expect(dlq.letters.map((letter) => letter.eventId)).toEqual(["big"]);
    expect(dlq.letters[0]).toMatchObject({
      prefix: "dlq:log:",
      value: `[${JSON.stringify(itemsOf([huge])[0])}]`,
      replayable: true,
      destination: "hobom.logs",
      attempts: 1,
    });
    expect(timeline.indexOf("dlq:dlq:log:big")).toBeLessThan(timeline.indexOf("rejected:big"));
    expect(statuses(source, "l1", "big", "l2")).toEqual(["SENT", "FAILED", "SENT"]);
  });

  test("dead-letters each event of a log message the sink refuses as its own one-element array", async () => {
    const { source, sink, dlq, cycle } = setup("log");
    const events = logEvents("l1", "l2");
    source.add(...events);
    sink.behaviour = (messages) =>
      messages.map(() => ({
        ok: false,
        kind: "rejected",
        error: new KafkaSendError("hobom.logs", "INVALID_TOPIC_EXCEPTION", { retriable: false, scope: "topic" }),
      }));
    await cycle();
    const items = itemsOf(events);
    expect(dlq.letters.map((letter) => [letter.eventId, letter.value, letter.recordKey, letter.destination])).toEqual([
      ["l1", `[${JSON.stringify(items[0])}]`, undefined, "hobom.logs"],
      ["l2", `[${JSON.stringify(items[1])}]`, undefined, "hobom.logs"],
    ]);
    expect(dlq.letters[0]?.reason).toBe("kafka send to hobom.logs failed: INVALID_TOPIC_EXCEPTION");
    expect(sink.deliveries).toHaveLength(1);
    expect(statuses(source, "l1", "l2")).toEqual(["FAILED", "FAILED"]);
  });

  test("settles the events of acknowledged messages and leaves the rest PENDING when the sink goes away mid-cycle", async () => {
    const { source, sink, dlq, ledger, cycle } = setup("log", { maxMessageBytes: 900 });
    const events = logEvents("l1", "l2", "l3", "l4", "l5", "l6");
    source.add(...events);
    sink.behaviour = (_messages, call) => {
      if (call >= 1) throw unavailable();
    };
    const outcome = await cycle();
    expect(outcome.status).toBe("failed");
    expect(sink.deliveries).toHaveLength(2);
    const sentRows = JSON.parse(sink.acked[0]!.value).length as number;
    expect(sentRows).toBeGreaterThan(0);
    expect(sentRows).toBeLessThan(6);
    expect(events.map((item) => source.statusOf(item.id))).toEqual(events.map((_, index) => (index < sentRows ? "SENT" : "PENDING")));
    expect(events.map((item) => ledger.has("log", item.id))).toEqual(events.map((_, index) => index < sentRows));
    expect(dlq.letters).toEqual([]);
  });

  test("dead-letters an angel log row that carries no access log, with the raw row", async () => {
    const { source, dlq, cycle } = setup("angel-log");
    const wrong = outboxEvent("a1", "HOBOM_LOG", approval());
    source.add(wrong);
    await cycle();
    expect(dlq.letters[0]).toMatchObject({ prefix: "dlq:angel-log:", eventId: "a1", value: rawRow(wrong), replayable: false });
    expect(source.statusOf("a1")).toBe("FAILED");
    expect(source.reasons.get("a1")).toContain("not an access log");
  });
});

describe("runCycle under a lease", () => {
  test("delivers nothing once the fencing check fails, and leaves the events PENDING", async () => {
    const { source, sink, context, cycle } = setup();
    source.add(...messageEvents("e1", "e2"));
    const fenced = { ...context, fence: { isValid: () => false, assertHeld: async () => Promise.reject(new LeaseLostError("message")) } };
    const outcome = await cycle(fenced);
    expect(outcome.status).toBe("failed");
    expect(outcome.status === "failed" && outcome.error).toBeInstanceOf(LeaseLostError);
    expect(sink.deliveries).toEqual([]);
    expect(statuses(source, "e1", "e2")).toEqual(["PENDING", "PENDING"]);
    expect(source.settlements).toEqual([]);
  });

  test("leaves settles to the new owner when the lease expires after the delivery", async () => {
    const lines: { msg: string; events?: number }[] = [];
    const log = createLogger({ level: "info", write: (line) => void lines.push(JSON.parse(line)) });
    const { source, sink, ledger, context, cycle } = setup("message", { log });
    source.add(...messageEvents("e1"));
    let valid = true;
    sink.behaviour = () => {
      valid = false;
    };
    const fenced = { ...context, fence: { isValid: () => valid, assertHeld: async () => {} } };
    expect((await cycle(fenced)).status).toBe("done");
    expect(sink.deliveries).toHaveLength(1);
    expect(ledger.has("message", "e1")).toBe(true);
    expect(source.statusOf("e1")).toBe("PENDING");
    expect(source.settlements).toEqual([]);
    expect(lines.filter((line) => line.msg.startsWith("lease lost")).map((line) => line.events)).toEqual([1]);
  });
});

describe("runCycle on a large batch", () => {
  test("encodes and delivers 12,000 events slice by slice, and delivers and settles every one once", async () => {
    const { source, sink, cycle } = setup();
    const ids = Array.from({ length: 12_000 }, (_, index) => `e${index}`);
    source.add(...messageEvents(...ids));
    expect(await cycle()).toEqual({ status: "done", fetched: 12_000, more: false });
    expect(sink.deliveries).toHaveLength(12_000 / SLICE_EVENTS);
    expect(sink.sentKeys().flat()).toEqual(ids);
    expect(ids.every((id) => source.statusOf(id) === "SENT")).toBe(true);
    expect(source.settlements.flatMap((settlement) => settlement.delivered ?? [])).toHaveLength(12_000);
  });

  test("reads each slice only once the one before it is delivered, so a large batch is never all objects at once", async () => {
    const { source, sink, cycle } = setup();
    const count = 2 * SLICE_EVENTS + 500;
    source.add(...messageEvents(...Array.from({ length: count }, (_, index) => `e${index}`)));
    const slicesReadAtDelivery: number[] = [];
    sink.behaviour = () => void slicesReadAtDelivery.push(source.read.length);
    await cycle();
    expect(source.read).toEqual([SLICE_EVENTS, SLICE_EVENTS, 500]);
    expect(slicesReadAtDelivery).toEqual([1, 2, 3]);
  });

  test("delivers the next slice only once at most SETTLES_AHEAD events wait for their settles", async () => {
    const { source, sink, run } = setup();
    // SETTLES_AHEAD events waiting still let one more slice go; the slice after it waits.
    const slices = SETTLES_AHEAD / SLICE_EVENTS + 2;
    source.add(...messageEvents(...Array.from({ length: slices * SLICE_EVENTS }, (_, index) => `e${index}`)));
    const settles = deferred();
    source.settleHold = settles.promise;
    const cycle = run();
    await flush();
    expect(sink.deliveries).toHaveLength(slices - 1);
    settles.resolve();
    await (await cycle).settled;
    expect(sink.deliveries).toHaveLength(slices);
    expect(source.read).toHaveLength(slices);
  });

  test("gives the log messages of different slices different keys, each one past the last", async () => {
    const { source, sink, cycle } = setup("log");
    source.add(...Array.from({ length: 11_000 }, (_, index) => outboxEvent(`l${index}`, "HOBOM_LOG", logPayload({ traceId: `t${index}` }))));
    await cycle();
    const keys = sink.sentKeys().flat();
    expect(keys.length).toBeGreaterThanOrEqual(11);
    // The clock stands still at NANOS: each key is the one before it plus one nanosecond.
    expect(keys).toEqual(keys.map((_, index) => `hobom-log-${NANOS + BigInt(index)}`));
  });
});

describe("runCycle with odd events and partial deliveries", () => {
  test("delivers an event the source handed over twice once, and settles it once", async () => {
    const { source, sink, timeline, cycle } = setup();
    source.add(...messageEvents("e1", "e2", "e1"));
    expect(await cycle()).toEqual({ status: "done", fetched: 3, more: false });
    expect(sink.sentKeys()).toEqual([["e1", "e2"]]);
    expect(timeline.filter((entry) => entry === "delivered:e1")).toHaveLength(1);
  });

  test("logs an event without id once, not on every cycle it comes back in", async () => {
    const lines: { msg: string; eventType?: string; id?: string; row?: unknown }[] = [];
    const log = createLogger({ level: "info", write: (line) => void lines.push(JSON.parse(line)) });
    const { source, sink, cycle } = setup("message", { log });
    source.add(outboxEvent("", "MESSAGE", messagePayload({})), ...messageEvents("e1"));
    await cycle();
    await cycle();
    await cycle();
    const skipped = lines.filter((line) => line.msg.startsWith("a row without eventId"));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.eventType).toBe("MESSAGE");
    expect(skipped[0]?.id).toBe("id-");
    // Not the whole row: its payload may be large and it is the backend's to fix.
    expect(skipped[0]?.row).toBeUndefined();
    expect(sink.sentKeys().flat()).toEqual(["e1"]);
  });

  test("settles the events the sink acknowledged and leaves those of an unreachable partition PENDING, with nothing given up", async () => {
    const { source, sink, dlq, metrics, cycle } = setup();
    source.add(...messageEvents("e1", "e2", "e3", "e4"));
    const away = new DependencyError("kafka", "partition 3 of hobom.messages waits for its leader", { retriable: true });
    sink.behaviour = (messages) =>
      messages.map((message) => (message.key === "e2" || message.key === "e4" ? { ok: false, kind: "deferred", error: away } : { ok: true }));
    expect(await cycle()).toEqual({ status: "done", fetched: 4, more: false });
    expect(statuses(source, "e1", "e2", "e3", "e4")).toEqual(["SENT", "PENDING", "SENT", "PENDING"]);
    expect(dlq.letters).toEqual([]);
    expect(metrics.count("message", "deferred")).toBe(2);
    expect(source.attempts.size).toBe(0);
    // The next cycle, with the partition back, delivers only what was left.
    sink.behaviour = () => {};
    await cycle();
    expect(sink.sentKeys().at(-1)).toEqual(["e2", "e4"]);
    expect(statuses(source, "e2", "e4")).toEqual(["SENT", "SENT"]);
  });
});

describe("runCycle and ordering keys", () => {
  const keyed = (id: string, key: string) => event(id, { orderingKey: key });

  test("holds back the later events of a key whose event did not go, and delivers the other keys", async () => {
    const { source, sink, metrics, cycle } = setup("message", { codec: plainCodec(TOPIC), maxEvents: 1 });
    source.add(keyed("a1", "k1"), keyed("b1", "k2"), keyed("a2", "k1"), keyed("b2", "k2"));
    const away = new DependencyError("kafka", "partition 0 waits for its leader", { retriable: true });
    sink.behaviour = (messages) => messages.map((message) => (message.key === "a1" ? { ok: false, kind: "deferred", error: away } : { ok: true }));
    expect(await cycle()).toEqual({ status: "done", fetched: 4, more: false });
    // a2 is not even tried: it would overtake a1.
    expect(sink.sentKeys()).toEqual([["a1"], ["b1"], ["b2"]]);
    expect(statuses(source, "a1", "b1", "a2", "b2")).toEqual(["PENDING", "SENT", "PENDING", "SENT"]);
    expect(source.settlements.flatMap((settlement) => (settlement.released ?? []).map((item) => item.id)).sort()).toEqual(["a1", "a2"]);
    expect(metrics.count("message", "deferred")).toBe(2);

    sink.behaviour = () => {};
    await cycle();
    expect(sink.sentKeys().slice(3)).toEqual([["a1"], ["a2"]]);
    expect(statuses(source, "a1", "a2")).toEqual(["SENT", "SENT"]);
  });

  test("holds a key back across slices: its later events are released without being encoded or delivered", async () => {
    const encodedIds: string[] = [];
    const inner = plainCodec(TOPIC);
    const codec: Codec<KafkaMessage> = {
      encode: (events, context) => {
        encodedIds.push(...events.map((item) => item.id));
        return inner.encode(events, context);
      },
      replay: inner.replay,
    };
    const { source, sink, metrics, cycle } = setup("message", { codec });
    const fillers = Array.from({ length: SLICE_EVENTS - 1 }, (_, index) => event(`f${index}`));
    source.add(keyed("a1", "k1"), ...fillers, keyed("a2", "k1"), event("g1"));
    const away = new DependencyError("kafka", "partition 0 waits for its leader", { retriable: true });
    sink.behaviour = (messages) => messages.map((message) => (message.key === "a1" ? { ok: false, kind: "deferred", error: away } : { ok: true }));
    expect(await cycle()).toEqual({ status: "done", fetched: SLICE_EVENTS + 2, more: false });
    expect(encodedIds).not.toContain("a2");
    expect(sink.sentKeys()[1]).toEqual(["g1"]);
    expect(statuses(source, "a1", "a2", "g1")).toEqual(["PENDING", "PENDING", "SENT"]);
    // Only the event that was tried counts as deferred; the one held behind it in a later slice is only released.
    expect(metrics.count("message", "deferred")).toBe(1);
  });

  test("a retried event holds its key too; only it counts an attempt", async () => {
    const { source, sink, cycle } = setup("message", { codec: plainCodec(TOPIC), maxEvents: 1 });
    source.add(keyed("a1", "k1"), keyed("a2", "k1"));
    const refusal = new Error("try a1 again later");
    sink.behaviour = (messages) => messages.map(() => ({ ok: false, kind: "retry", error: refusal }));
    expect(await cycle()).toEqual({ status: "failed", error: refusal });
    expect(sink.sentKeys()).toEqual([["a1"]]);
    expect([...source.attempts]).toEqual([["a1", 1]]);
    expect(statuses(source, "a1", "a2")).toEqual(["PENDING", "PENDING"]);
  });

  test("a dead-lettered event does not hold its key", async () => {
    const { source, sink, dlq, cycle } = setup("message", { codec: plainCodec(TOPIC), maxEvents: 1 });
    source.add(keyed("a1", "k1"), keyed("a2", "k1"), { ...keyed("u1", "k2"), unreadable: "truncated" }, keyed("u2", "k2"));
    sink.behaviour = (messages) =>
      messages.map((message) => (message.key === "a1" ? { ok: false, kind: "rejected", error: new PermanentEventError("refused") } : { ok: true }));
    expect(await cycle()).toEqual({ status: "done", fetched: 4, more: false });
    expect(dlq.letters.map((letter) => letter.eventId).sort()).toEqual(["a1", "u1"]);
    expect(sink.sentKeys()).toEqual([["a1"], ["a2"], ["u2"]]);
    expect(statuses(source, "a1", "a2", "u1", "u2")).toEqual(["FAILED", "SENT", "FAILED", "SENT"]);
  });
});

describe("runCycle and failures of the events' own", () => {
  test("counts an attempt against an event whose delivery failed for its own reason, and dead-letters it once it used up maxAttempts", async () => {
    const { source, sink, dlq, timeline, cycle } = setup("message", { codec: plainCodec(TOPIC), maxAttempts: 3 });
    source.add(event("e1"), event("e2"));
    const refusal = new Error("the endpoint refused e1 for now");
    sink.behaviour = (messages) => messages.map((message) => (message.key === "e1" ? { ok: false, kind: "retry", error: refusal } : { ok: true }));
    expect(await cycle()).toEqual({ status: "failed", error: refusal });
    expect(source.attempts.get("e1")).toBe(1);
    expect(source.settlements.flatMap((settlement) => settlement.retried ?? [])).toEqual([{ event: event("e1"), reason: "the endpoint refused e1 for now" }]);
    expect(await cycle()).toEqual({ status: "failed", error: refusal });
    expect(source.attempts.get("e1")).toBe(2);
    expect(dlq.letters).toEqual([]);
    // The third failed attempt is the last: the event is given up (the cycle still reports the failure).
    expect(await cycle()).toEqual({ status: "failed", error: refusal });
    expect(source.attempts.get("e1")).toBe(2);
    expect(dlq.letters).toEqual([
      {
        pipeline: "message",
        prefix: "dlq:menu:",
        eventId: "e1",
        eventType: "TEST",
        value: '{"id":"e1"}',
        reason: "gave up after 3 attempts: the endpoint refused e1 for now",
        destination: TOPIC,
        recordKey: "e1",
        replayable: true,
        failedAt: NOW,
        attempts: 3,
      },
    ]);
    expect(timeline.indexOf("dlq:dlq:menu:e1")).toBeLessThan(timeline.indexOf("rejected:e1"));
    expect(statuses(source, "e1", "e2")).toEqual(["FAILED", "SENT"]);
    expect(sink.sentKeys()).toEqual([["e1", "e2"], ["e1"], ["e1"]]);
    expect(await cycle()).toEqual({ status: "done", fetched: 0, more: false });
  });

  test("without maxAttempts, retries an event every cycle and never gives it up", async () => {
    const { source, sink, dlq, cycle } = setup("message", { codec: plainCodec(TOPIC) });
    source.add(event("e1"));
    sink.behaviour = (messages) => messages.map(() => ({ ok: false, kind: "retry", error: new Error("not now") }));
    for (let cycles = 0; cycles < 5; cycles++) expect((await cycle()).status).toBe("failed");
    expect(source.attempts.get("e1")).toBe(5);
    expect(dlq.letters).toEqual([]);
    expect(source.statusOf("e1")).toBe("PENDING");
  });

  test("counts each further dependency error of a cycle; the one that fails it is the loop's to count", async () => {
    const { source, sink, metrics, cycle } = setup("message", { codec: plainCodec(TOPIC), maxEvents: 1 });
    source.add(event("e1"), event("e2"), event("e3"));
    const errors = [1, 2, 3].map((n) => new BackendCallError("for-hobom-backend", "SaveStudyMaterial", "UNAVAILABLE", `try ${n}`, { retriable: true }));
    sink.behaviour = (_messages, call) => [{ ok: false, kind: "retry", error: errors[call]! }];
    expect(await cycle()).toEqual({ status: "failed", error: errors[0] });
    expect(metrics.dependencyErrors).toEqual(["grpc", "grpc"]);
  });

  test("releases an event whose destination cannot take it now, with nothing counted against it, however often", async () => {
    const { source, sink, dlq, metrics, cycle } = setup("message", { codec: plainCodec(TOPIC), maxAttempts: 1 });
    source.add(event("e1"));
    sink.behaviour = (messages) => messages.map(() => ({ ok: false, kind: "deferred", error: new Error("leader away") }));
    for (let cycles = 0; cycles < 3; cycles++) expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(source.settlements).toEqual([{ released: [event("e1")] }, { released: [event("e1")] }, { released: [event("e1")] }]);
    expect(source.attempts.size).toBe(0);
    expect(dlq.letters).toEqual([]);
    expect(metrics.count("message", "deferred")).toBe(3);
  });

  test("dead-letters an event that had attempts before with its count plus this one", async () => {
    const { source, sink, dlq, cycle } = setup("message", { codec: plainCodec(TOPIC) });
    source.add(event("e1", { attempts: 4 }));
    sink.behaviour = (messages) => messages.map(() => ({ ok: false, kind: "rejected", error: new PermanentEventError("refused") }));
    await cycle();
    expect(dlq.letters.map((letter) => [letter.eventId, letter.attempts])).toEqual([["e1", 5]]);
  });
});

describe("runCycle and the settles it counts (garbage collections are paced by them)", () => {
  test("tells onSettled the events of every settle once the source answered, whatever the outcome, and nothing for taking or reading", async () => {
    const handled: number[] = [];
    const { source, sink, dlq, cycle } = setup("message", { onSettled: (events) => void handled.push(events) });
    source.add(...messageEvents("e0", "e1"), outboxEvent("e2", "MESSAGE", null), outboxEvent("e3", "MESSAGE", null));
    source.settleErrors.set("e1", { error: new BackendCallError("for-hobom-backend", "PatchOutboxMarkAsSentUseCase", "UNAVAILABLE", "", { retriable: true }) });
    let puts = 0;
    const put = dlq.put.bind(dlq);
    dlq.put = async (letter) => {
      if (puts++ === 1) throw new RedisError("connection refused");
      return put(letter);
    };
    const atDelivery: number[][] = [];
    sink.behaviour = () => void atDelivery.push([...handled]);
    await cycle();
    // e2 rejected, e3 released (its DLQ write failed): counted before the delivery, as the source answered each.
    expect(atDelivery).toEqual([[1, 1]]);
    // Then e0 and e1 in one delivered settle, e1's failure included.
    expect(handled).toEqual([1, 1, 2]);
    expect(statuses(source, "e0", "e1", "e2", "e3")).toEqual(["SENT", "PENDING", "FAILED", "PENDING"]);
  });

  test("counts a settle when the source has answered it, not when it was told", async () => {
    const handled: number[] = [];
    const { source, sink, run } = setup("message", { onSettled: (events) => void handled.push(events) });
    source.add(...messageEvents("e0", "e1", "e2"));
    const settles = deferred();
    source.settleHold = settles.promise;
    const cycle = run();
    await flush();
    expect(source.read).toEqual([3]);
    expect(sink.deliveries).toHaveLength(1);
    expect(handled).toEqual([]);
    settles.resolve();
    await (await cycle).settled;
    expect(handled).toEqual([3]);
  });
});

describe("runCycle's lag and fetched metrics", () => {
  test("counts what was taken and reports the age of the oldest event after each slice", async () => {
    const { source, metrics, cycle } = setup();
    source.add(...messageEvents("e1", "e2"));
    await cycle();
    expect(metrics.count("message", "fetched")).toBe(2);
    // outboxRow's createdAt is 2024-05-06T07:00:00Z, NOW is 07:08:09Z.
    expect(metrics.ages).toEqual([489, 489]);
    expect(metrics.count("message", "published")).toBe(2);
    expect(metrics.count("message", "marked_sent")).toBe(2);
  });

  test("counts dead-lettered and rejected events", async () => {
    const { source, metrics, cycle } = setup();
    source.add(outboxEvent("e1", "MESSAGE", null));
    await cycle();
    expect(metrics.count("message", "dead_lettered")).toBe(1);
    expect(metrics.count("message", "marked_failed")).toBe(1);
    expect(metrics.count("message", "published")).toBe(0);
  });
});

describe("runCycle with a MappingError from the codec", () => {
  test("dead-letters what the codec cannot encode with the codec's value, and never hands it to the sink", async () => {
    const codec: Codec<KafkaMessage> = {
      encode: (events) => ({
        messages: [],
        unencodable: events.map((item) => ({ event: item, value: "raw", error: new MappingError("no shape"), replayable: false, destination: TOPIC })),
      }),
      replay: () => {
        throw new Error("unused");
      },
    };
    const { source, sink, dlq, cycle } = setup("message", { codec });
    source.add(event("e1"));
    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(sink.deliveries).toEqual([]);
    expect(dlq.letters.map((letter) => [letter.eventId, letter.value, letter.reason, letter.destination, letter.replayable, letter.attempts])).toEqual([
      ["e1", "raw", "no shape", TOPIC, false, 1],
    ]);
  });
});

describe("runCycle: known bugs (test.failing: each fails today, and is to become a plain test once src is fixed)", () => {
  // deliverAll's `untried` is `groups.slice(index)`: when the record of an acknowledged delivery
  // fails (or a split's second half throws after its first half was acknowledged), the group that
  // was just delivered and settled `delivered` is released as well. SourceBatch.settle promises
  // "every event is settled at most once"; a source whose release is a real act (a nack) would
  // deliver the event again, and its delivery record is exactly what failed.
  test("settles each event at most once: the events of an acknowledged delivery whose record failed are not released too", async () => {
    const { source, ledger, timeline, cycle } = setup("message", { maxMessageBytes: 300 });
    source.add(...messageEvents("e1", "e2"));
    ledger.recordError = new RedisError("connection refused");
    await cycle();
    expect(timeline).toEqual(["take", "send:e1", "delivered:e1", "record-failed:e1", "released:e2"]);
  });

  // The old relay named the pipeline's topic in every DLQ entry of a Kafka pipeline (the entry's
  // `topic` metadata, shown by GET /dlq/<key>). The new one names it only for messages that were
  // built: eventCodec and logCodec put no `destination` on a row they cannot map, and runCycle none
  // on a row the source could not decode, so their entries show `topic: ""`.
  test("names the topic in the DLQ entry of a row that could not be mapped (event and log codecs)", async () => {
    for (const [name, type, topic] of [
      ["message", "MESSAGE", TOPIC],
      ["log", "HOBOM_LOG", "hobom.logs"],
    ] as const) {
      const { source, dlq, cycle } = setup(name);
      source.add(outboxEvent("e1", type, null));
      await cycle();
      expect(dlq.letters.map((letter) => [letter.eventId, letter.destination])).toEqual([["e1", topic]]);
    }
  });

  test("names the topic in the DLQ entry of a row the source could not decode", async () => {
    const { source, dlq, cycle } = setup();
    const row = { ...outboxRow("e1", "MESSAGE", null), decodeError: "invalid wire type 7 at offset 12", raw: "EgJlMQ==" };
    source.add(rowEvent(row));
    await cycle();
    expect(dlq.letters.map((letter) => [letter.eventId, letter.destination])).toEqual([["e1", TOPIC]]);
  });
});
