import { describe, expect, test } from "bun:test";
import { MappingError, RecordTooLargeError } from "../../../src/errors.ts";
import type { OutboxRow } from "../../../src/grpc/wire-types.ts";
import { logItem } from "../../../src/pipelines/mappers/log.ts";
import type { EventPipeline, LogPipeline, PipelineName } from "../../../src/pipelines/pipeline.ts";
import { PIPELINES } from "../../../src/pipelines/table.ts";
import { prepareEventRecords, prepareLogRecords, rawRow, recordBytes } from "../../../src/relay/records.ts";
import { approval, logPayload, messagePayload, outboxRow, spacePayload } from "../pipelines/payloads.ts";

const pipeline = <P>(name: PipelineName) => PIPELINES.find((candidate) => candidate.name === name) as P;
const message = pipeline<EventPipeline>("message");
const space = pipeline<EventPipeline>("space");
const log = pipeline<LogPipeline>("log");
const angelLog = pipeline<LogPipeline>("angel-log");

const NOW = new Date("2024-05-06T07:08:09.123Z");
const NANOS = 1_714_979_289_123_456_789n;
const BIG = 1_000_000;

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const logRow = (eventId: string, messageText = "request handled") => outboxRow(eventId, "HOBOM_LOG", logPayload({ message: messageText, traceId: eventId }));

describe("prepareEventRecords", () => {
  test("makes one record per row, keyed by eventId, with event-id, event-type and source headers", () => {
    const rows = [outboxRow("e1", "MESSAGE", messagePayload()), outboxRow("e2", "MESSAGE", messagePayload({ title: "second" }))];
    const { deliveries, rejections } = prepareEventRecords(message, rows, { now: NOW, maxBytes: BIG });
    expect(rejections).toEqual([]);
    expect(deliveries.map((delivery) => delivery.record)).toEqual([
      {
        key: "e1",
        value: '{"type":"MAIL_MESSAGE","title":"Today\'s menu","body":"Kimchi stew","recipient":"user@example.com","senderId":"sender-7","sentAt":"2024-05-06T07:08:09Z"}',
        headers: { "event-id": "e1", "event-type": "MESSAGE", source: "for-hobom-backend" },
      },
      {
        key: "e2",
        value: '{"type":"MAIL_MESSAGE","title":"second","body":"Kimchi stew","recipient":"user@example.com","senderId":"sender-7","sentAt":"2024-05-06T07:08:09Z"}',
        headers: { "event-id": "e2", "event-type": "MESSAGE", source: "for-hobom-backend" },
      },
    ]);
    expect(deliveries.map((delivery) => delivery.rows)).toEqual([[rows[0]!], [rows[1]!]]);
    for (const delivery of deliveries) expect(delivery.bytes).toBe(recordBytes(delivery.record));
  });

  test("rejects a row without payload with a MappingError and the raw row as the DLQ value", () => {
    const bare = outboxRow("e1", "MESSAGE", null);
    const good = outboxRow("e2", "MESSAGE", messagePayload());
    const { deliveries, rejections } = prepareEventRecords(message, [bare, good], { now: NOW, maxBytes: BIG });
    expect(deliveries.map((delivery) => delivery.record.key)).toEqual(["e2"]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]?.row).toBe(bare);
    expect(rejections[0]?.error).toBeInstanceOf(MappingError);
    expect(rejections[0]?.value).toBe(JSON.stringify(bare));
    expect(rejections[0]?.value).toBe(rawRow(bare));
  });

  test("turns a mapper's own failure into a MappingError rejection with the raw row", () => {
    const bad = outboxRow("s1", "SPACE_EVENT", spacePayload({ pageId: "not-a-number" }));
    const { deliveries, rejections } = prepareEventRecords(space, [bad], { now: NOW, maxBytes: BIG });
    expect(deliveries).toEqual([]);
    expect(rejections[0]?.error).toBeInstanceOf(MappingError);
    expect(rejections[0]?.value).toBe(rawRow(bad));
  });

  test("keeps the pageId digits exact in the record value", () => {
    const row = outboxRow("s1", "SPACE_EVENT", spacePayload({ pageId: "9007199254740993" }));
    const { deliveries } = prepareEventRecords(space, [row], { now: NOW, maxBytes: BIG });
    expect(deliveries[0]?.record.value).toBe('{"entityType":"PAGE","action":"CREATED","spaceKey":"ENG","pageId":9007199254740993,"title":"Runbook","actorId":"actor-1"}');
    expect(deliveries[0]?.record.headers).toEqual({ "event-id": "s1", "event-type": "SPACE_EVENT", source: "hobom-space-backend" });
  });

  test("rejects a record over the limit with RecordTooLargeError, keeping the value and the key", () => {
    const row = outboxRow("e1", "MESSAGE", messagePayload({ body: "x".repeat(2000) }));
    const fits = prepareEventRecords(message, [row], { now: NOW, maxBytes: BIG }).deliveries[0];
    if (!fits) throw new Error("expected a delivery");
    const exact = prepareEventRecords(message, [row], { now: NOW, maxBytes: fits.bytes });
    expect(exact.deliveries).toHaveLength(1);

    const over = prepareEventRecords(message, [row], { now: NOW, maxBytes: fits.bytes - 1 });
    expect(over.deliveries).toEqual([]);
    const rejection = over.rejections[0];
    expect(rejection?.error).toBeInstanceOf(RecordTooLargeError);
    expect((rejection?.error as RecordTooLargeError).bytes).toBe(fits.bytes);
    expect((rejection?.error as RecordTooLargeError).limit).toBe(fits.bytes - 1);
    expect(rejection?.value).toBe(fits.record.value);
    expect(rejection?.recordKey).toBe("e1");
  });

  test("counts multi-byte characters by their UTF-8 bytes", () => {
    const row = outboxRow("e1", "MESSAGE", messagePayload({ body: "김치찌개" }));
    const delivery = prepareEventRecords(message, [row], { now: NOW, maxBytes: BIG }).deliveries[0];
    if (!delivery) throw new Error("expected a delivery");
    expect(delivery.bytes).toBe(Buffer.byteLength(delivery.record.value) + 2 + Buffer.byteLength("event-ide1event-typeMESSAGEsourcefor-hobom-backend"));
  });
});

describe("prepareLogRecords", () => {
  test("sends every row as one JSON array keyed <prefix>-<nanos> when it fits", () => {
    const rows = [logRow("l1"), logRow("l2"), logRow("l3")];
    const { deliveries, rejections } = prepareLogRecords(log, rows, { now: NOW, maxBytes: BIG, nowNanos: NANOS });
    expect(rejections).toEqual([]);
    expect(deliveries).toHaveLength(1);
    const [only] = deliveries;
    expect(only?.record.key).toBe(`hobom-log-${NANOS}`);
    expect(only?.record.value).toBe(JSON.stringify(rows.map((row) => logItem(row.payload as never))));
    expect(only?.record.headers).toEqual({ "event-type": "HOBOM_LOG", source: "for-hobom-backend" });
    expect(only?.rows).toEqual(rows);
    expect(only?.bytes).toBe(recordBytes(only!.record));
  });

  test("keys space-log and angel-log records with their own prefixes", () => {
    const spaceLog = pipeline<LogPipeline>("space-log");
    const spaceRow = outboxRow("s1", "SPACE_LOG", logPayload());
    expect(prepareLogRecords(spaceLog, [spaceRow], { now: NOW, maxBytes: BIG, nowNanos: NANOS }).deliveries[0]?.record.key).toBe(`space-log-${NANOS}`);
    const angelRow = outboxRow("a1", "HOBOM_LOG", { kind: "access_log", access_log: { trace_id: "t", level: "INFO", method: "GET", path: "/", status_code: 200, host: "h", user_id: "u", message: "m", meta: {} } });
    const angel = prepareLogRecords(angelLog, [angelRow], { now: NOW, maxBytes: BIG, nowNanos: NANOS }).deliveries[0];
    expect(angel?.record.key).toBe(`angel-log-${NANOS}`);
    expect(angel?.record.headers).toEqual({ "event-type": "HOBOM_LOG", source: "for-hobom-angel-backend" });
  });

  test("splits the array so that no record exceeds the limit, with distinct keys and every row once in order", () => {
    const rows = Array.from({ length: 10 }, (_, index) => logRow(`l${index}`));
    const oneItem = Buffer.byteLength(JSON.stringify(logItem(rows[0]!.payload as never)));
    const maxBytes = 3 * oneItem + 120;
    const { deliveries, rejections } = prepareLogRecords(log, rows, { now: NOW, maxBytes, nowNanos: NANOS });
    expect(rejections).toEqual([]);
    expect(deliveries.length).toBeGreaterThan(1);
    for (const delivery of deliveries) expect(recordBytes(delivery.record)).toBeLessThanOrEqual(maxBytes);
    expect(deliveries.flatMap((delivery) => delivery.rows)).toEqual(rows);
    expect(deliveries.map((delivery) => delivery.record.key)).toEqual(deliveries.map((_, index) => `hobom-log-${NANOS + BigInt(index)}`));
    for (const delivery of deliveries) {
      expect(JSON.parse(delivery.record.value)).toEqual(delivery.rows.map((row) => logItem(row.payload as never)));
    }
  });

  test("rejects an item too large even alone with the one-element array the Go processor stored", () => {
    const rows = [logRow("l1"), logRow("huge", "x".repeat(5000)), logRow("l3")];
    const { deliveries, rejections } = prepareLogRecords(log, rows, { now: NOW, maxBytes: 2000, nowNanos: NANOS });
    expect(deliveries.flatMap((delivery) => delivery.rows.map((row) => row.eventId))).toEqual(["l1", "l3"]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]?.row.eventId).toBe("huge");
    expect(rejections[0]?.error).toBeInstanceOf(RecordTooLargeError);
    expect(rejections[0]?.value).toBe(`[${JSON.stringify(logItem(rows[1]!.payload as never))}]`);
    expect(JSON.parse(rejections[0]!.value)).toHaveLength(1);
  });

  test("rejects rows that cannot be mapped, with the raw row, and sends the rest", () => {
    const wrongKind = outboxRow("a1", "HOBOM_LOG", approval());
    const noPayload = outboxRow("a2", "HOBOM_LOG", null);
    const good = outboxRow("a3", "HOBOM_LOG", { kind: "access_log", access_log: { trace_id: "t", level: "INFO", method: "GET", path: "/", status_code: 200, host: "h", user_id: "u", message: "m", meta: {} } });
    const { deliveries, rejections } = prepareLogRecords(angelLog, [wrongKind, noPayload, good], { now: NOW, maxBytes: BIG, nowNanos: NANOS });
    expect(deliveries.flatMap((delivery) => delivery.rows)).toEqual([good]);
    expect(rejections.map((rejection) => rejection.row.eventId)).toEqual(["a1", "a2"]);
    for (const rejection of rejections) {
      expect(rejection.error).toBeInstanceOf(MappingError);
      expect(rejection.value).toBe(rawRow(rejection.row));
    }
  });

  test("makes no record for no rows", () => {
    expect(prepareLogRecords(log, [], { now: NOW, maxBytes: BIG, nowNanos: NANOS })).toEqual({ deliveries: [], rejections: [] });
  });

  test("keeps its invariants for random item sizes and many limits", () => {
    const next = random(20240506);
    let checkedRecords = 0;
    for (let round = 0; round < 150; round++) {
      const count = 1 + Math.floor(next() * 40);
      const rows: OutboxRow<unknown>[] = Array.from({ length: count }, (_, index) => {
        const size = Math.floor(next() ** 3 * 3000);
        const text = next() < 0.3 ? "한".repeat(Math.floor(size / 3)) : "m".repeat(size);
        return logRow(`r${round}-${index}`, text);
      });
      const maxBytes = 150 + Math.floor(next() * 6000);
      const nowNanos = NANOS + BigInt(round);
      const { deliveries, rejections } = prepareLogRecords(log, rows, { now: NOW, maxBytes, nowNanos });

      // No record over the limit, and each delivery's size is its record's size.
      for (const delivery of deliveries) {
        expect(recordBytes(delivery.record)).toBeLessThanOrEqual(maxBytes);
        expect(delivery.bytes).toBe(recordBytes(delivery.record));
        expect(JSON.parse(delivery.record.value)).toEqual(delivery.rows.map((row) => logItem(row.payload as never)));
        checkedRecords++;
      }
      // Every row exactly once, the delivered ones in their original order.
      const delivered = deliveries.flatMap((delivery) => delivery.rows);
      const rejected = rejections.map((rejection) => rejection.row);
      expect([...delivered, ...rejected].map((row) => row.eventId).sort()).toEqual(rows.map((row) => row.eventId).sort());
      expect(delivered).toEqual(rows.filter((row) => !rejected.includes(row)));
      // Distinct keys.
      const keys = deliveries.map((delivery) => delivery.record.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const key of keys) expect(key).toMatch(/^hobom-log-\d+$/);
      // Only items that cannot fit alone are rejected, each as a one-element array.
      for (const rejection of rejections) {
        expect(rejection.error).toBeInstanceOf(RecordTooLargeError);
        const alone = { key: `hobom-log-${nowNanos}`, value: rejection.value, headers: { "event-type": "HOBOM_LOG", source: "for-hobom-backend" } };
        expect(recordBytes(alone)).toBeGreaterThan(maxBytes - 2);
        expect(JSON.parse(rejection.value)).toHaveLength(1);
      }
    }
    expect(checkedRecords).toBeGreaterThan(150);
  });
});
