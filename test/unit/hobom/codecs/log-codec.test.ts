import { describe, expect, test } from "bun:test";
import { MappingError, RecordTooLargeError } from "../../../../src/engine/errors.ts";
import type { SinkLimits, SourceEvent } from "../../../../src/engine/ports.ts";
import { rawRow } from "../../../../src/hobom/codecs/rows.ts";
import { logItem } from "../../../../src/hobom/mappers/log.ts";
import type { PipelineName } from "../../../../src/hobom/pipeline.ts";
import { KAFKA_FRAMING, type KafkaMessage, messageBytes } from "../../../../src/sinks/kafka/message.ts";
import { approval, logPayload, outboxEvent } from "../payloads.ts";
import { kafkaCodecOf } from "./codec-of.ts";

const NOW = new Date("2024-05-06T07:08:09.123Z");
const NANOS = 1_714_979_289_123_456_789n;
const BIG = 1_000_000;
const limits = (maxBytes = BIG): SinkLimits<KafkaMessage> => ({
  maxEvents: Number.POSITIVE_INFINITY,
  maxBytes,
  maxBytesSetting: "HOBOM_KAFKA_MAX_MESSAGE_BYTES",
  framing: KAFKA_FRAMING,
});
const context = (maxBytes = BIG) => ({ now: NOW, limits: limits(maxBytes) });
/** The codec of a log pipeline on a clock that stands still at NANOS (or follows `clock`). */
const codecOf = (name: PipelineName = "log", clock: () => bigint = () => NANOS) => kafkaCodecOf(name, clock);

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

const logEvent = (eventId: string, messageText = "request handled") =>
  outboxEvent(eventId, "HOBOM_LOG", logPayload({ message: messageText, traceId: eventId }));
const itemOf = (event: SourceEvent) => logItem((event.record as { payload: never }).payload);
const ANGEL_ACCESS_LOG = {
  kind: "access_log",
  access_log: { trace_id: "t", level: "INFO", method: "GET", path: "/", status_code: 200, host: "h", user_id: "u", message: "m", meta: {} },
};

describe("logCodec: encode", () => {
  test("delivers every event as one JSON array keyed <prefix>-<nanos> when it fits, each event dead-lettered alone if it is refused", () => {
    const events = [logEvent("l1"), logEvent("l2"), logEvent("l3")];
    const { messages, unencodable } = codecOf().encode(events, context());
    expect(unencodable).toEqual([]);
    expect(messages).toHaveLength(1);
    const [only] = messages;
    expect(only?.message).toEqual({
      topic: "hobom.logs",
      key: `hobom-log-${NANOS}`,
      value: JSON.stringify(events.map(itemOf)),
      headers: { "event-type": "HOBOM_LOG", source: "for-hobom-backend" },
    });
    expect(only?.events).toEqual(events);
    expect(only?.bytes).toBe(messageBytes(only!.message));
    expect(only?.deadLetterValues).toEqual(events.map((event) => `[${JSON.stringify(itemOf(event))}]`));
    expect(only?.destination).toBe("hobom.logs");
    expect(only?.recordKey).toBeUndefined();
  });

  test("keys space-log and angel-log messages with their own prefixes and sources", () => {
    const spaceLog = codecOf("space-log").encode([outboxEvent("s1", "SPACE_LOG", logPayload())], context()).messages[0];
    expect(spaceLog?.message.key).toBe(`space-log-${NANOS}`);
    expect(spaceLog?.message.headers).toEqual({ "event-type": "SPACE_LOG", source: "hobom-space-backend" });
    const angel = codecOf("angel-log").encode([outboxEvent("a1", "HOBOM_LOG", ANGEL_ACCESS_LOG)], context()).messages[0];
    expect(angel?.message.key).toBe(`angel-log-${NANOS}`);
    expect(angel?.message.headers).toEqual({ "event-type": "HOBOM_LOG", source: "for-hobom-angel-backend" });
  });

  test("splits the array so that no message exceeds the limit, with distinct keys and every event once in order", () => {
    const events = Array.from({ length: 10 }, (_, index) => logEvent(`l${index}`));
    const oneItem = Buffer.byteLength(JSON.stringify(itemOf(events[0]!)));
    const maxBytes = 3 * oneItem + 120;
    const { messages, unencodable } = codecOf().encode(events, context(maxBytes));
    expect(unencodable).toEqual([]);
    expect(messages.length).toBeGreaterThan(1);
    for (const encoded of messages) expect(messageBytes(encoded.message)).toBeLessThanOrEqual(maxBytes);
    expect(messages.flatMap((encoded) => encoded.events)).toEqual(events);
    expect(messages.map((encoded) => encoded.message.key)).toEqual(messages.map((_, index) => `hobom-log-${NANOS + BigInt(index)}`));
    for (const encoded of messages) expect(JSON.parse(encoded.message.value)).toEqual(encoded.events.map(itemOf));
  });

  test("refuses an item too large even alone with the one-element array the Go processor stored, replayable", () => {
    const events = [logEvent("l1"), logEvent("huge", "x".repeat(5000)), logEvent("l3")];
    const { messages, unencodable } = codecOf().encode(events, context(2000));
    expect(messages.flatMap((encoded) => encoded.events.map((event) => event.id))).toEqual(["l1", "l3"]);
    expect(unencodable).toHaveLength(1);
    const [refused] = unencodable;
    expect(refused?.event.id).toBe("huge");
    expect(refused?.error).toBeInstanceOf(RecordTooLargeError);
    expect(refused?.error.message).toContain("(HOBOM_KAFKA_MAX_MESSAGE_BYTES)");
    expect(refused?.value).toBe(`[${JSON.stringify(itemOf(events[1]!))}]`);
    expect(JSON.parse(refused!.value)).toHaveLength(1);
    expect(refused?.replayable).toBe(true);
    expect(refused?.destination).toBe("hobom.logs");
  });

  test("refuses events that cannot be mapped, with the raw row, and delivers the rest", () => {
    const wrongKind = outboxEvent("a1", "HOBOM_LOG", approval());
    const noPayload = outboxEvent("a2", "HOBOM_LOG", null);
    const good = outboxEvent("a3", "HOBOM_LOG", ANGEL_ACCESS_LOG);
    const { messages, unencodable } = codecOf("angel-log").encode([wrongKind, noPayload, good], context());
    expect(messages.flatMap((encoded) => encoded.events)).toEqual([good]);
    expect(unencodable.map((refused) => refused.event.id)).toEqual(["a1", "a2"]);
    for (const refused of unencodable) {
      expect(refused.error).toBeInstanceOf(MappingError);
      expect(refused.value).toBe(rawRow(refused.event));
      expect(refused.replayable).toBe(false);
    }
    expect(unencodable.map((refused) => refused.error.message)).toEqual([
      "angel HOBOM_LOG row carries approval_approved, not an access log",
      "HOBOM_LOG row a2 has no payload",
    ]);
  });

  test("makes no message for no events", () => {
    expect(codecOf().encode([], context())).toEqual({ messages: [], unencodable: [] });
  });

  test("keeps its invariants for random item sizes and many limits", () => {
    const next = random(20240506);
    let checkedMessages = 0;
    for (let round = 0; round < 150; round++) {
      const count = 1 + Math.floor(next() * 40);
      const events = Array.from({ length: count }, (_, index) => {
        const size = Math.floor(next() ** 3 * 3000);
        const text = next() < 0.3 ? "한".repeat(Math.floor(size / 3)) : "m".repeat(size);
        return logEvent(`r${round}-${index}`, text);
      });
      const maxBytes = 150 + Math.floor(next() * 6000);
      const nowNanos = NANOS + BigInt(round);
      const { messages, unencodable } = codecOf("log", () => nowNanos).encode(events, context(maxBytes));

      // No message over the limit, and each one's size is its message's size.
      for (const encoded of messages) {
        expect(messageBytes(encoded.message)).toBeLessThanOrEqual(maxBytes);
        expect(encoded.bytes).toBe(messageBytes(encoded.message));
        expect(JSON.parse(encoded.message.value)).toEqual(encoded.events.map(itemOf));
        checkedMessages++;
      }
      // Every event exactly once, the delivered ones in their original order.
      const delivered = messages.flatMap((encoded) => encoded.events);
      const refused = unencodable.map((item) => item.event);
      expect([...delivered, ...refused].map((event) => event.id).sort()).toEqual(events.map((event) => event.id).sort());
      expect(delivered).toEqual(events.filter((event) => !refused.includes(event)));
      // Distinct keys.
      const keys = messages.map((encoded) => encoded.message.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const key of keys) expect(key).toMatch(/^hobom-log-\d+$/);
      // Only items that cannot fit alone are refused, each as a one-element array.
      for (const item of unencodable) {
        expect(item.error).toBeInstanceOf(RecordTooLargeError);
        const alone = { key: `hobom-log-${nowNanos}`, value: item.value, headers: { "event-type": "HOBOM_LOG", source: "for-hobom-backend" } };
        expect(messageBytes(alone)).toBeGreaterThan(maxBytes - 2);
        expect(JSON.parse(item.value)).toHaveLength(1);
      }
    }
    expect(checkedMessages).toBeGreaterThan(150);
  });
});

describe("logCodec: the keys of its messages", () => {
  test("strictly increase across encodes (slices, cycles), one nanosecond past the last while the clock stands still", () => {
    const codec = codecOf();
    const keys = [1, 2, 3].flatMap((round) => codec.encode([logEvent(`l${round}`)], context()).messages.map((encoded) => encoded.message.key));
    expect(keys).toEqual([`hobom-log-${NANOS}`, `hobom-log-${NANOS + 1n}`, `hobom-log-${NANOS + 2n}`]);
  });

  test("follow the clock when it moved past the last key, and never go back when it steps back", () => {
    const times = [NANOS, NANOS + 1_000n, NANOS - 5_000n, NANOS + 2_000n];
    const codec = codecOf("log", () => times.shift() ?? 0n);
    const keys = [1, 2, 3, 4].map((round) => codec.encode([logEvent(`l${round}`)], context()).messages[0]?.message.key);
    expect(keys).toEqual([`hobom-log-${NANOS}`, `hobom-log-${NANOS + 1_000n}`, `hobom-log-${NANOS + 1_001n}`, `hobom-log-${NANOS + 2_000n}`]);
  });

  test("are the codec's own: two pipelines' codecs count apart", () => {
    const log = codecOf();
    const spaceLog = codecOf("space-log");
    expect(log.encode([logEvent("l1")], context()).messages[0]?.message.key).toBe(`hobom-log-${NANOS}`);
    expect(spaceLog.encode([outboxEvent("s1", "SPACE_LOG", logPayload())], context()).messages[0]?.message.key).toBe(`space-log-${NANOS}`);
  });
});

describe("logCodec: replay", () => {
  test("makes a DLQ entry (a one-element array) a record of its own, keyed by eventId, with the pipeline's headers", () => {
    expect(codecOf().replay({ eventId: "l1", eventType: "HOBOM_LOG", value: '[{"traceId":"l1"}]' })).toEqual({
      topic: "hobom.logs",
      key: "l1",
      value: '[{"traceId":"l1"}]',
      headers: { "event-id": "l1", "event-type": "HOBOM_LOG", source: "for-hobom-backend" },
    });
    expect(codecOf("space-log").replay({ eventId: "s1", eventType: "", value: "[]" }).headers).toEqual({
      "event-id": "s1",
      "event-type": "SPACE_LOG",
      source: "hobom-space-backend",
    });
  });
});
