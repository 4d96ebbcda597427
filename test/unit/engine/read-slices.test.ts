import { describe, expect, test } from "bun:test";
import { createOnce } from "../../../src/engine/once.ts";
import { readSlices } from "../../../src/engine/read-slices.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import { event, FakeSource, RecordingMetrics } from "./fakes.ts";

const NOW = Date.parse("2024-05-06T07:08:09Z");

function setup() {
  const metrics = new RecordingMetrics();
  const lines: { level: string; msg: string; [field: string]: unknown }[] = [];
  const context = {
    pipeline: { name: "message" },
    log: createLogger({ level: "debug", write: (line) => void lines.push(JSON.parse(line)) }),
    metrics,
    once: createOnce(),
    now: () => new Date(NOW),
  };
  return { context, metrics, lines, source: new FakeSource() };
}

const ids = (slices: Iterable<readonly { id: string }[]>) => [...slices].map((slice) => slice.map((item) => item.id));
const at = (secondsAgo: number) => NOW - secondsAgo * 1000;

describe("readSlices", () => {
  test("hands the batch over in slices of the size asked, in the source's order", () => {
    const { context, source } = setup();
    const batch = source.batchOf(["a", "b", "c", "d", "e"].map((id) => event(id)));
    expect(ids(readSlices(context, batch, 2))).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  test("reads a slice of the source only when the one before it was taken", () => {
    const { context, source } = setup();
    const slices = readSlices(context, source.batchOf(["a", "b", "c"].map((id) => event(id))), 1);
    expect(source.read).toEqual([]);
    slices.next();
    expect(source.read).toEqual([1]);
    slices.next();
    expect(source.read).toEqual([1, 1]);
  });

  test("hands an event the source handed over twice once, and says so at debug level", () => {
    const { context, source, lines } = setup();
    const batch = source.batchOf(["a", "b", "a", "c", "b"].map((id) => event(id)));
    expect(ids(readSlices(context, batch, 2))).toEqual([["a", "b"], ["c"]]);
    expect(lines.map((line) => [line.level, line.msg, line.eventId])).toEqual([
      ["debug", "the source handed this event over twice; it is handled once", "a"],
      ["debug", "the source handed this event over twice; it is handled once", "b"],
    ]);
  });

  test("leaves out an event without id, and logs it once for the pipeline's life, without its record", () => {
    const { context, source, lines } = setup();
    const orphan = { ...event(""), type: "MESSAGE", record: { id: "row-7", createdAt: "2024-05-06T07:00:00Z", payload: { large: "x".repeat(100) } } };
    for (let cycle = 0; cycle < 3; cycle++) {
      expect(ids(readSlices(context, source.batchOf([orphan, event("a")]), 10))).toEqual([["a"]]);
    }
    expect(lines).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "a row without eventId is skipped every cycle until the backend fixes it (logged once)",
        id: "row-7",
        eventType: "MESSAGE",
        createdAt: "2024-05-06T07:00:00Z",
      }),
    ]);
    expect(lines[0]?.payload).toBeUndefined();
  });

  test("yields no empty slice when a whole slice was left out", () => {
    const { context, source } = setup();
    expect(ids(readSlices(context, source.batchOf([event("a"), event("a"), event("b")]), 2))).toEqual([["a"], ["b"]]);
    expect(ids(readSlices(context, source.batchOf([event("")]), 2))).toEqual([]);
  });

  test("reports the age of the oldest event seen so far after every slice, and once more at the end", () => {
    const { context, source, metrics } = setup();
    const batch = source.batchOf([event("a", { createdAt: at(30) }), event("b", { createdAt: at(90) }), event("c", { createdAt: at(10) })]);
    [...readSlices(context, batch, 1)];
    expect(metrics.ages).toEqual([30, 90, 90, 90]);
  });

  test("reports 0 when no event's age is known, and never a negative age for an event from the future", () => {
    const { context, source, metrics } = setup();
    [...readSlices(context, source.batchOf([event("a")]), 1)];
    [...readSlices(context, source.batchOf([event("b", { createdAt: NOW + 60_000 })]), 1)];
    expect(metrics.ages).toEqual([0, 0, 0, 0]);
  });
});
