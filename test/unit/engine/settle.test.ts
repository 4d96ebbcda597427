import { describe, expect, test } from "bun:test";
import { MappingError, RecordTooLargeError } from "../../../src/engine/errors.ts";
import type { SourceEvent } from "../../../src/engine/ports.ts";
import { createSettlements, SETTLE_CHUNK } from "../../../src/engine/settle.ts";
import { BackendCallError } from "../../../src/grpc/status.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { RedisError } from "../../../src/state/errors.ts";
import { createWorld, deferred, event, flush } from "./fakes.ts";

const NOW = new Date("2024-05-06T07:08:09Z");
const grpcError = (code: string) =>
  new BackendCallError("hobom-space-backend", "PatchOutboxMarkAsSentUseCase", code, "", { retriable: code === "UNAVAILABLE" });

function setup(options: { count?: number; owned?: () => boolean } = {}) {
  const world = createWorld();
  const lines: { level: string; msg: string; [field: string]: unknown }[] = [];
  const log = createLogger({ level: "debug", write: (line) => void lines.push(JSON.parse(line)) });
  const events: SourceEvent[] = Array.from({ length: options.count ?? 3 }, (_, index) => event(`e${index + 1}`, { type: "MESSAGE" }));
  world.source.add(...events);
  const handled: number[] = [];
  const settlements = createSettlements({
    pipeline: { name: "message", dlqPrefix: "dlq:menu:" },
    batch: world.source.batchOf(events),
    dlq: world.dlq,
    log,
    metrics: world.metrics,
    owned: options.owned ?? (() => true),
    now: () => NOW,
    onSettled: (count) => void handled.push(count),
  });
  return { ...world, events, settlements, handled, lines, first: events[0] as SourceEvent };
}

const statuses = (source: { statusOf(id: string): string | undefined }, events: readonly SourceEvent[]) => events.map((item) => source.statusOf(item.id));

describe("createSettlements", () => {
  test("settles delivered events, counts them marked_sent and tells onSettled once the source answered", async () => {
    const { settlements, source, events, metrics, handled, lines } = setup();
    settlements.delivered(events);
    expect(handled).toEqual([]);
    await settlements.drain();
    expect(statuses(source, events)).toEqual(["SENT", "SENT", "SENT"]);
    expect(source.settlements).toEqual([{ delivered: events }]);
    expect(metrics.count("message", "marked_sent")).toBe(3);
    expect(handled).toEqual([3]);
    expect(lines).toEqual([]);
  });

  test("tells the source SETTLE_CHUNK events at a time, so that the events waiting fall steadily", async () => {
    const { settlements, source, events } = setup({ count: 2 * SETTLE_CHUNK + 100 });
    settlements.delivered(events);
    await settlements.drain();
    expect(source.settlements.map((settlement) => settlement.delivered?.length)).toEqual([SETTLE_CHUNK, SETTLE_CHUNK, 100]);
    expect(SETTLE_CHUNK).toBe(250);
  });

  test("counts the events a settle could not settle, by their dependency, and leaves them to come again", async () => {
    const { settlements, source, events, metrics, handled, lines } = setup();
    const unavailable = grpcError("UNAVAILABLE");
    source.settleErrors.set("e2", { error: unavailable });
    source.settleErrors.set("e3", { error: new Error("socket closed") });
    settlements.delivered(events);
    await settlements.drain();
    expect(statuses(source, events)).toEqual(["SENT", "PENDING", "PENDING"]);
    expect(metrics.count("message", "marked_sent")).toBe(1);
    // Only errors of a dependency count as its errors (the old settler counted every failed mark as grpc).
    expect(metrics.dependencyErrors).toEqual(["grpc"]);
    expect(handled).toEqual([3]);
    expect(lines.map((line) => [line.level, line.msg, line.failed, line.error])).toEqual([
      ["warn", "some settles failed; those events come again and are only settled next cycle", 2, unavailable.message],
    ]);
  });

  test("counts every event of a settle the source could not be told at all as failed", async () => {
    const { settlements, source, events, metrics, handled } = setup();
    source.settleRejection = grpcError("UNAVAILABLE");
    settlements.delivered(events);
    await settlements.drain();
    expect(metrics.count("message", "marked_sent")).toBe(0);
    expect(metrics.dependencyErrors).toEqual(["grpc", "grpc", "grpc"]);
    expect(handled).toEqual([3]);
  });

  test("writes the DLQ entry before settling the event rejected, with why and where", async () => {
    const { settlements, source, dlq, timeline, first, metrics, handled } = setup();
    const error = new RecordTooLargeError(2_000_000, 1_000_000, "HOBOM_KAFKA_MAX_MESSAGE_BYTES");
    await settlements.deadLetter({ event: first, value: '{"v":1}', error, replayable: true, destination: "hobom.messages", recordKey: "e1", attempts: 1 });
    expect(timeline).toEqual(["dlq:dlq:menu:e1", "rejected:e1"]);
    expect(dlq.letters).toEqual([
      {
        pipeline: "message",
        prefix: "dlq:menu:",
        eventId: "e1",
        eventType: "MESSAGE",
        value: '{"v":1}',
        reason: "record is 2000000 bytes, over the 1000000-byte limit (HOBOM_KAFKA_MAX_MESSAGE_BYTES)",
        destination: "hobom.messages",
        recordKey: "e1",
        replayable: true,
        failedAt: NOW,
        attempts: 1,
      },
    ]);
    expect(source.statusOf("e1")).toBe("FAILED");
    expect(source.reasons.get("e1")).toBe(error.message);
    expect(metrics.count("message", "dead_lettered")).toBe(1);
    expect(metrics.count("message", "marked_failed")).toBe(1);
    expect(handled).toEqual([1]);
  });

  test("releases the event when the DLQ write fails: it comes again as it was", async () => {
    const { settlements, source, dlq, timeline, first, metrics, lines } = setup();
    dlq.putError = new RedisError("connection refused");
    await settlements.deadLetter({ event: first, value: "{}", error: new MappingError("no payload"), replayable: false, attempts: 1 });
    expect(timeline).toEqual(["dlq-failed:e1", "released:e1"]);
    expect(source.statusOf("e1")).toBe("PENDING");
    expect(metrics.dependencyErrors).toEqual(["redis"]);
    expect(metrics.count("message", "dead_lettered")).toBe(0);
    expect(metrics.count("message", "marked_failed")).toBe(0);
    expect(lines.map((line) => [line.level, line.msg, line.eventId, line.reason, line.error])).toEqual([
      ["error", "DLQ write failed; the event stays where it was and is tried again next cycle", "e1", "no payload", "redis: connection refused"],
    ]);
  });

  test("keeps the DLQ entry when the rejected settle fails, without throwing", async () => {
    const { settlements, source, dlq, first, metrics, lines } = setup();
    source.settleErrors.set("e1", { error: grpcError("UNAVAILABLE") });
    await settlements.deadLetter({ event: first, value: "{}", error: new MappingError("no payload"), replayable: false, attempts: 1 });
    expect(dlq.letters).toHaveLength(1);
    expect(dlq.letters[0]?.replayable).toBe(false);
    expect(source.statusOf("e1")).toBe("PENDING");
    expect(metrics.count("message", "dead_lettered")).toBe(1);
    expect(metrics.count("message", "marked_failed")).toBe(0);
    expect(metrics.dependencyErrors).toEqual(["grpc"]);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ["warn", "event sent to the DLQ"],
      ["warn", "mark FAILED failed; the DLQ entry is kept and the event is tried again next cycle"],
    ]);
  });

  test("tells the source of a retried event with the first line of why, and counts nothing settled", async () => {
    const { settlements, source, first, metrics, handled } = setup();
    settlements.retried([first], new Error("save failed\nstack and more"));
    await settlements.drain();
    expect(source.settlements).toEqual([{ retried: [{ event: first, reason: "save failed" }] }]);
    expect(source.attempts.get("e1")).toBe(1);
    expect(metrics.rowCounts.size).toBe(0);
    expect(handled).toEqual([1]);
  });

  test("tells the source of released events that they come again as they are", async () => {
    const { settlements, source, events, metrics } = setup();
    settlements.released(events.slice(0, 2));
    await settlements.drain();
    expect(source.settlements).toEqual([{ released: events.slice(0, 2) }]);
    expect(statuses(source, events)).toEqual(["PENDING", "PENDING", "PENDING"]);
    expect(source.attempts.size).toBe(0);
    expect(metrics.rowCounts.size).toBe(0);
  });

  test("tells the source nothing of no events", async () => {
    const { settlements, source, handled } = setup();
    settlements.delivered([]);
    settlements.retried([], new Error("x"));
    settlements.released([]);
    await settlements.drain();
    expect(source.settlements).toEqual([]);
    expect(handled).toEqual([]);
  });

  test("settles nothing once the instance no longer owns the pipeline, and says what it left to the new owner", async () => {
    const { settlements, source, dlq, events, lines, handled } = setup({ owned: () => false });
    settlements.delivered(events.slice(0, 2));
    await settlements.deadLetter({ event: events[2] as SourceEvent, value: "{}", error: new MappingError("no payload"), replayable: false, attempts: 1 });
    await settlements.drain();
    expect(source.settlements).toEqual([]);
    // The DLQ entry is written: the new owner finds the event PENDING and settles it.
    expect(dlq.letters.map((letter) => letter.eventId)).toEqual(["e3"]);
    expect(handled).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ level: "warn", msg: "lease lost: left the settling to the new owner", events: 3 });
  });

  test("waitBelow resolves once at most `limit` events wait for their settle", async () => {
    const { settlements, source, events } = setup();
    const hold = deferred();
    source.settleHold = hold.promise;
    settlements.delivered(events);
    let belowTwo = false;
    void settlements.waitBelow(2).then(() => (belowTwo = true));
    await settlements.waitBelow(3);
    await flush();
    expect(belowTwo).toBe(false);
    hold.resolve();
    await settlements.drain();
    await flush();
    expect(belowTwo).toBe(true);
  });
});
