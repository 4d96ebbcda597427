import { describe, expect, test } from "bun:test";
import { type CycleContext, type CycleOutcome, runCycle, SLICE_EVENTS } from "../../../../src/engine/cycle.ts";
import { OPEN_FENCE } from "../../../../src/engine/fence.ts";
import { createOnce } from "../../../../src/engine/once.ts";
import { createPoller } from "../../../../src/engine/polling.ts";
import type { SourceEvent } from "../../../../src/engine/ports.ts";
import { BackendCallError } from "../../../../src/grpc/status.ts";
import type { PipelineName } from "../../../../src/hobom/pipeline.ts";
import { PIPELINES } from "../../../../src/hobom/pipelines.ts";
import { createLogger } from "../../../../src/observability/logger.ts";
import type { KafkaMessage } from "../../../../src/sinks/kafka/message.ts";
import { createGrpcOutboxSource, markFoundNothing, rowEvent } from "../../../../src/sources/grpc-outbox/source.ts";
import { createWorld, deferred, flush } from "../../engine/fakes.ts";
import { kafkaCodecOf } from "../../hobom/codecs/codec-of.ts";
import { approval, messagePayload, outboxRow } from "../../hobom/payloads.ts";
import { FakeOutbox } from "./fake-outbox.ts";

const NOW = new Date("2024-05-06T07:08:09Z");
const findOf = (name: PipelineName) => {
  const row = PIPELINES.find((candidate) => candidate.name === name);
  if (!row) throw new Error(`no pipeline ${name}`);
  return row.find;
};
const markError = (code: string) =>
  new BackendCallError("hobom-space-backend", "PatchOutboxMarkAsSentUseCase", code, "", { retriable: code === "UNAVAILABLE" });
const NO_SIGNAL = new AbortController().signal;

function setup(options: { pipeline?: PipelineName; markConcurrency?: number; clock?: { now: () => number; sleep: (ms: number) => Promise<void> } } = {}) {
  const world = createWorld();
  const outbox = new FakeOutbox(world.timeline);
  const lines: { level: string; msg: string; eventId?: string; code?: string }[] = [];
  const log = createLogger({ level: "info", write: (line) => void lines.push(JSON.parse(line)) });
  const poller = createPoller({ intervalMs: 5_000, now: options.clock?.now, sleep: options.clock?.sleep });
  const source = createGrpcOutboxSource({
    client: outbox,
    find: findOf(options.pipeline ?? "message"),
    poller,
    markConcurrency: options.markConcurrency ?? 4,
    log,
  });
  return { ...world, outbox, source, lines };
}

const messageRows = (...eventIds: string[]) => eventIds.map((eventId) => outboxRow(eventId, "MESSAGE", messagePayload({ title: eventId })));
const idsOf = (events: readonly SourceEvent[]) => events.map((item) => item.id);

describe("createGrpcOutboxSource: take", () => {
  test("asks the backend once per event type, in order, and says more is waiting after a full page", async () => {
    const { outbox, source, timeline } = setup({ pipeline: "angel" });
    outbox.add(...Array.from({ length: 200 }, (_, index) => outboxRow(`a${index}`, "ADOPTION_APPROVED", approval())));
    outbox.add(outboxRow("f1", "FOSTER_TERMINATED", approval()));
    const batch = await source.take(NO_SIGNAL);
    expect(batch.count).toBe(201);
    expect(batch.more).toBe(true);
    expect(timeline).toEqual([
      "find:ADOPTION_APPROVED",
      "find:FOSTER_APPROVED",
      "find:STAFF_PROMOTION_APPROVED",
      "find:SHELTER_VERIFICATION_APPROVED",
      "find:FOSTER_TERMINATED",
    ]);
  });

  test("says nothing more waits when no page was full, or the backend has no page limit", async () => {
    const angel = setup({ pipeline: "angel" });
    angel.outbox.add(...Array.from({ length: 199 }, (_, index) => outboxRow(`a${index}`, "ADOPTION_APPROVED", approval())));
    expect((await angel.source.take(NO_SIGNAL)).more).toBe(false);
    const message = setup();
    message.outbox.add(...messageRows(...Array.from({ length: 500 }, (_, index) => `e${index}`)));
    const batch = await message.source.take(NO_SIGNAL);
    expect([batch.count, batch.more]).toEqual([500, false]);
  });

  test("gives every Find the stop signal", async () => {
    const { outbox, source } = setup({ pipeline: "angel" });
    const controller = new AbortController();
    await source.take(controller.signal);
    expect(outbox.findSignals).toEqual(Array.from({ length: 5 }, () => controller.signal));
  });

  test("lets a failing Find fail the take", async () => {
    const { outbox, source } = setup();
    const down = new BackendCallError("for-hobom-backend", "FindOutboxByEventTypeAndStatusUseCase", "UNAVAILABLE", "", { retriable: true });
    outbox.findError = down;
    await expect(source.take(NO_SIGNAL)).rejects.toBe(down);
  });

  test("decodes the rows a slice at a time, as each slice is reached", async () => {
    const { outbox, source } = setup();
    outbox.add(...messageRows(...Array.from({ length: 2_500 }, (_, index) => `e${index}`)));
    const batch = await source.take(NO_SIGNAL);
    expect(outbox.decoded).toEqual([]);
    const slices = batch.slices(1_000)[Symbol.iterator]();
    expect(slices.next().value).toHaveLength(1_000);
    expect(outbox.decoded).toEqual([["MESSAGE", 0, 1_000]]);
    expect(slices.next().value).toHaveLength(1_000);
    expect(slices.next().value).toHaveLength(500);
    expect(slices.next().done).toBe(true);
    expect(outbox.decoded).toEqual([
      ["MESSAGE", 0, 1_000],
      ["MESSAGE", 1_000, 2_000],
      ["MESSAGE", 2_000, 2_500],
    ]);
  });

  test("fills a slice across the Finds of several event types, in their order", async () => {
    const { outbox, source } = setup({ pipeline: "angel" });
    outbox.add(...["a1", "a2", "a3"].map((id) => outboxRow(id, "ADOPTION_APPROVED", approval())));
    outbox.add(...["s1", "s2", "s3"].map((id) => outboxRow(id, "STAFF_PROMOTION_APPROVED", approval())));
    const batch = await source.take(NO_SIGNAL);
    expect([...batch.slices(4)].map(idsOf)).toEqual([
      ["a1", "a2", "a3", "s1"],
      ["s2", "s3"],
    ]);
    expect(outbox.decoded).toEqual([
      ["ADOPTION_APPROVED", 0, 3],
      ["STAFF_PROMOTION_APPROVED", 0, 1],
      ["STAFF_PROMOTION_APPROVED", 1, 3],
    ]);
  });

  test("hands a batch of nothing over when nothing is PENDING", async () => {
    const { source } = setup();
    const batch = await source.take(NO_SIGNAL);
    expect([batch.count, batch.more, [...batch.slices(1_000)]]).toEqual([0, false, []]);
  });
});

describe("rowEvent", () => {
  test("makes a row an event: its eventId and eventType, the row as its record, its createdAt as epoch ms", () => {
    const row = outboxRow("e1", "MESSAGE", messagePayload());
    expect(rowEvent(row)).toEqual({
      id: "e1",
      type: "MESSAGE",
      record: row as never,
      unreadable: undefined,
      createdAt: Date.parse("2024-05-06T07:00:00.000Z"),
    });
    // No ordering key (every HoBom event is its own) and no attempts (the outbox does not count them).
    expect(rowEvent(row).orderingKey).toBeUndefined();
    expect(rowEvent(row).attempts).toBeUndefined();
  });

  test("reads a createdAt written as JS Date text, and gives NaN for one it cannot read", () => {
    const text = { ...outboxRow("e1", "MESSAGE", null), createdAt: "Mon May 06 2024 07:00:00 GMT+0000 (Coordinated Universal Time)" };
    expect(rowEvent(text).createdAt).toBe(Date.parse("2024-05-06T07:00:00.000Z"));
    expect(rowEvent({ ...text, createdAt: "" }).createdAt).toBeNaN();
  });

  test("marks a row that did not decode as unreadable, with why", () => {
    const row = { ...outboxRow("e1", "MESSAGE", null), decodeError: "invalid wire type 7 at offset 12", raw: "EgJlMQ==" };
    expect(rowEvent(row).unreadable).toBe("invalid wire type 7 at offset 12");
  });
});

describe("createGrpcOutboxSource: settle", () => {
  test("marks delivered rows SENT and rejected rows FAILED with the reason, one call each", async () => {
    const { outbox, source, timeline } = setup();
    outbox.add(...messageRows("e1", "e2", "e3"));
    const batch = await source.take(NO_SIGNAL);
    const [e1, e2, e3] = [...batch.slices(10)][0] as SourceEvent[];
    const report = await batch.settle({ delivered: [e1!, e2!], rejected: [{ event: e3!, reason: "MESSAGE row e3 has no payload" }] });
    expect(report).toEqual({ failed: [] });
    expect(timeline.slice(1).sort()).toEqual(["markFailed:e3", "markSent:e1", "markSent:e2"]);
    expect(outbox.failedReasons.get("e3")).toBe("MESSAGE row e3 has no payload");
    expect(["e1", "e2", "e3"].map((id) => outbox.statusOf(id))).toEqual(["SENT", "SENT", "FAILED"]);
  });

  test("leaves retried and released rows PENDING: the backend hands them over again on a later Find", async () => {
    const { outbox, source, timeline } = setup();
    outbox.add(...messageRows("e1", "e2"));
    const batch = await source.take(NO_SIGNAL);
    const [e1, e2] = [...batch.slices(10)][0] as SourceEvent[];
    expect(await batch.settle({ retried: [{ event: e1!, reason: "save failed" }], released: [e2!] })).toEqual({ failed: [] });
    expect(timeline).toEqual(["find:MESSAGE"]);
    expect((await source.take(NO_SIGNAL)).count).toBe(2);
  });

  test("keeps at most markConcurrency marks in flight", async () => {
    const { outbox, source } = setup({ markConcurrency: 2 });
    outbox.add(...messageRows("e1", "e2", "e3"));
    const gate = deferred();
    let inFlight = 0;
    let most = 0;
    const markSent = outbox.markSent.bind(outbox);
    outbox.markSent = async (eventId) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await gate.promise;
      inFlight--;
      return markSent(eventId);
    };
    const batch = await source.take(NO_SIGNAL);
    const settled = batch.settle({ delivered: [...batch.slices(10)][0] as SourceEvent[] });
    await flush();
    expect(inFlight).toBe(2);
    gate.resolve();
    expect(await settled).toEqual({ failed: [] });
    expect(most).toBe(2);
    expect(["e1", "e2", "e3"].map((id) => outbox.statusOf(id))).toEqual(["SENT", "SENT", "SENT"]);
  });

  test("shares markConcurrency between the settles of a batch", async () => {
    const { outbox, source } = setup({ markConcurrency: 1 });
    outbox.add(...messageRows("e1", "e2"));
    const gate = deferred();
    let inFlight = 0;
    let most = 0;
    const markSent = outbox.markSent.bind(outbox);
    outbox.markSent = async (eventId) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await gate.promise;
      inFlight--;
      return markSent(eventId);
    };
    const batch = await source.take(NO_SIGNAL);
    const [e1, e2] = [...batch.slices(10)][0] as SourceEvent[];
    const both = Promise.all([batch.settle({ delivered: [e1!] }), batch.settle({ delivered: [e2!] })]);
    await flush();
    expect(inFlight).toBe(1);
    gate.resolve();
    await both;
    expect(most).toBe(1);
  });

  test("treats NOT_FOUND and FAILED_PRECONDITION on a mark as settled, and says so in the log", async () => {
    const { outbox, source, lines } = setup();
    outbox.add(...messageRows("e1", "e2", "e3"));
    outbox.markSentErrors.set("e1", { error: markError("NOT_FOUND") });
    outbox.markSentErrors.set("e2", { error: markError("FAILED_PRECONDITION") });
    outbox.markFailedError = markError("FAILED_PRECONDITION");
    const batch = await source.take(NO_SIGNAL);
    const [e1, e2, e3] = [...batch.slices(10)][0] as SourceEvent[];
    expect(await batch.settle({ delivered: [e1!, e2!], rejected: [{ event: e3!, reason: "x" }] })).toEqual({ failed: [] });
    // The marks run side by side: their answers (and the log lines) come in any order.
    expect(lines.map((line) => [line.level, line.msg, line.eventId, line.code]).sort()).toEqual([
      ["warn", "mark FAILED found nothing to mark; the row is gone or already final", "e3", "FAILED_PRECONDITION"],
      ["warn", "mark SENT found nothing to mark; the row is gone or already final", "e1", "NOT_FOUND"],
      ["warn", "mark SENT found nothing to mark; the row is gone or already final", "e2", "FAILED_PRECONDITION"],
    ]);
  });

  test("reports the rows whose mark failed otherwise, with their errors, and leaves them PENDING", async () => {
    const { outbox, source } = setup();
    outbox.add(...messageRows("e1", "e2", "e3"));
    const unavailable = markError("UNAVAILABLE");
    const closed = new Error("socket closed");
    outbox.markSentErrors.set("e2", { error: unavailable });
    outbox.markSentErrors.set("e3", { error: closed });
    const batch = await source.take(NO_SIGNAL);
    expect(await batch.settle({ delivered: [...batch.slices(10)][0] as SourceEvent[] })).toEqual({
      failed: [
        { id: "e2", error: unavailable },
        { id: "e3", error: closed },
      ],
    });
    expect(["e1", "e2", "e3"].map((id) => outbox.statusOf(id))).toEqual(["SENT", "PENDING", "PENDING"]);
  });

  test("answers once every mark of the settle is done", async () => {
    const { outbox, source } = setup();
    outbox.add(...messageRows("e1"));
    const hold = deferred();
    outbox.markSentHold = hold.promise;
    const batch = await source.take(NO_SIGNAL);
    let answered = false;
    const settled = batch.settle({ delivered: [...batch.slices(10)][0] as SourceEvent[] }).then(() => (answered = true));
    await flush();
    expect(answered).toBe(false);
    hold.resolve();
    await settled;
    expect(outbox.statusOf("e1")).toBe("SENT");
  });
});

describe("createGrpcOutboxSource: redelivered", () => {
  test("marks the rows a DLQ replay delivered SENT", async () => {
    const { outbox, source } = setup();
    outbox.add(...messageRows("e1", "e2"));
    expect(await source.redelivered(["e1", "e2"])).toBe("done");
    expect(["e1", "e2"].map((id) => outbox.statusOf(id))).toEqual(["SENT", "SENT"]);
  });

  test("says gone when a mark found nothing: the row was cleaned up or is already final", async () => {
    const { outbox, source } = setup();
    outbox.add(...messageRows("e1", "e2"));
    outbox.markSentErrors.set("e1", { error: markError("NOT_FOUND") });
    expect(await source.redelivered(["e1", "e2"])).toBe("gone");
    expect(outbox.statusOf("e2")).toBe("SENT");
  });

  test("throws any other failure of a mark", async () => {
    const { outbox, source } = setup();
    const unavailable = markError("UNAVAILABLE");
    outbox.markSentErrors.set("e1", { error: unavailable });
    await expect(source.redelivered(["e1"])).rejects.toBe(unavailable);
  });
});

describe("createGrpcOutboxSource: ready", () => {
  function clocked() {
    let clock = 1_000_000;
    const waits: number[] = [];
    return {
      waits,
      advance: (ms: number) => {
        clock += ms;
      },
      clock: {
        now: () => clock,
        sleep: async (ms: number) => {
          waits.push(ms);
          clock += ms;
        },
      },
    };
  }

  test("is ready one poll interval after the previous take began", async () => {
    const { waits, advance, clock } = clocked();
    const { source } = setup({ clock });
    await source.ready(NO_SIGNAL);
    await source.take(NO_SIGNAL);
    advance(1_200);
    await source.ready(NO_SIGNAL);
    expect(waits).toEqual([3_800]);
  });

  test("is ready at once after a take that found a full page", async () => {
    const { waits, clock } = clocked();
    const { outbox, source } = setup({ pipeline: "angel", clock });
    outbox.add(...Array.from({ length: 200 }, (_, index) => outboxRow(`a${index}`, "ADOPTION_APPROVED", approval())));
    await source.take(NO_SIGNAL);
    await source.ready(NO_SIGNAL);
    expect(waits).toEqual([]);
  });

  test("closes without anything to let go", async () => {
    await setup().source.close();
  });
});

describe("markFoundNothing", () => {
  test("is true for NOT_FOUND and FAILED_PRECONDITION from a backend, and nothing else", () => {
    expect(markFoundNothing(markError("NOT_FOUND"))).toBe(true);
    expect(markFoundNothing(markError("FAILED_PRECONDITION"))).toBe(true);
    expect(markFoundNothing(markError("UNAVAILABLE"))).toBe(false);
    expect(markFoundNothing(Object.assign(new Error("x"), { code: "NOT_FOUND" }))).toBe(false);
  });
});

describe("runCycle over the gRPC outbox source", () => {
  function cycleOver(world: ReturnType<typeof setup>, name: PipelineName = "message") {
    const row = PIPELINES.find((candidate) => candidate.name === name)!;
    const context: CycleContext<KafkaMessage> = {
      pipeline: { name, dlqPrefix: row.dlqPrefix },
      codec: kafkaCodecOf(name),
      sink: world.sink,
      ledger: world.ledger,
      dlq: world.dlq,
      log: createLogger({ level: "error", write: () => {} }),
      metrics: world.metrics,
      fence: OPEN_FENCE,
      once: createOnce(),
      now: () => NOW,
    };
    return async (): Promise<CycleOutcome> => {
      const { settled, ...outcome } = await runCycle(context, await world.source.take(NO_SIGNAL), NO_SIGNAL);
      await settled;
      return outcome;
    };
  }

  test("marks a row SENT only after the sink acknowledged it, and a row at fault FAILED only after its DLQ entry", async () => {
    const world = setup();
    world.outbox.add(outboxRow("e0", "MESSAGE", null), ...messageRows("e1"));
    const cycle = cycleOver(world);
    expect(await cycle()).toEqual({ status: "done", fetched: 2, more: false });
    expect(world.timeline.slice(0, 4)).toEqual(["find:MESSAGE", "dlq:dlq:menu:e0", "markFailed:e0", "send:e1"]);
    expect(world.timeline.slice(4).sort()).toEqual(["markSent:e1", "record:e1"]);
    expect(world.outbox.failedReasons.get("e0")).toBe("MESSAGE row e0 has no payload");
  });

  test("treats NOT_FOUND on mark SENT as settled: no dependency error, nothing left for the next cycle", async () => {
    const world = setup();
    world.outbox.add(...messageRows("e1"));
    world.outbox.markSentErrors.set("e1", { error: markError("NOT_FOUND") });
    const cycle = cycleOver(world);
    expect((await cycle()).status).toBe("done");
    expect(world.metrics.dependencyErrors).toEqual([]);
    // Counted as marked: the row is settled (the old settler did not count it).
    expect(world.metrics.count("message", "marked_sent")).toBe(1);
  });

  test("when a mark fails, keeps the delivery recorded so the next cycle only marks the row", async () => {
    const world = setup();
    world.outbox.add(...messageRows("e1", "e2"));
    world.outbox.markSentErrors.set("e2", { error: markError("UNAVAILABLE") });
    const cycle = cycleOver(world);
    expect((await cycle()).status).toBe("done");
    expect(["e1", "e2"].map((id) => world.outbox.statusOf(id))).toEqual(["SENT", "PENDING"]);
    expect(world.ledger.has("message", "e2")).toBe(true);
    expect(world.metrics.dependencyErrors).toEqual(["grpc"]);

    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(world.sink.deliveries).toHaveLength(1);
    expect(world.outbox.statusOf("e2")).toBe("SENT");
  });

  test("decodes each slice only once the one before it is delivered, so a large Find is never all objects at once", async () => {
    const world = setup();
    const rows = 2 * SLICE_EVENTS + 500;
    world.outbox.add(...messageRows(...Array.from({ length: rows }, (_, index) => `e${index}`)));
    const slicesDecodedAtDelivery: number[] = [];
    world.sink.behaviour = () => void slicesDecodedAtDelivery.push(world.outbox.decoded.length);
    await cycleOver(world)();
    expect(world.outbox.decoded).toEqual([
      ["MESSAGE", 0, SLICE_EVENTS],
      ["MESSAGE", SLICE_EVENTS, 2 * SLICE_EVENTS],
      ["MESSAGE", 2 * SLICE_EVENTS, rows],
    ]);
    expect(slicesDecodedAtDelivery).toEqual([1, 2, 3]);
  });

  test("asks the angel backend for each event type, delivers them in one delivery, and says more after a full page", async () => {
    const world = setup({ pipeline: "angel" });
    world.outbox.add(...Array.from({ length: 200 }, (_, index) => outboxRow(`a${index}`, "ADOPTION_APPROVED", approval())));
    world.outbox.add(outboxRow("s1", "STAFF_PROMOTION_APPROVED", approval()));
    expect(await cycleOver(world, "angel")()).toEqual({ status: "done", fetched: 201, more: true });
    expect(world.sink.deliveries).toHaveLength(1);
    expect(world.sink.sentKeys()[0]?.slice(-2)).toEqual(["a199", "s1"]);
    expect(world.sink.acked.at(-1)?.headers).toEqual({ "event-id": "s1", "event-type": "STAFF_PROMOTION_APPROVED", source: "for-hobom-angel-backend" });
  });
});
