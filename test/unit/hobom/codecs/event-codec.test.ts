import { describe, expect, test } from "bun:test";
import { MappingError, RecordTooLargeError } from "../../../../src/engine/errors.ts";
import type { SinkLimits } from "../../../../src/engine/ports.ts";
import { rawRow } from "../../../../src/hobom/codecs/rows.ts";
import { KAFKA_FRAMING, type KafkaMessage, messageBytes } from "../../../../src/sinks/kafka/message.ts";
import { approval, messagePayload, outboxEvent, spacePayload } from "../payloads.ts";
import { kafkaCodecOf } from "./codec-of.ts";

const NOW = new Date("2024-05-06T07:08:09.123Z");
const BIG = 1_000_000;
const limits = (maxBytes = BIG): SinkLimits<KafkaMessage> => ({
  maxEvents: Number.POSITIVE_INFINITY,
  maxBytes,
  maxBytesSetting: "HOBOM_KAFKA_MAX_MESSAGE_BYTES",
  framing: KAFKA_FRAMING,
});
const message = kafkaCodecOf("message");
const space = kafkaCodecOf("space");
const angel = kafkaCodecOf("angel");

describe("eventCodec: encode", () => {
  test("makes one message per event, keyed by eventId, with event-id, event-type and source headers, for the pipeline's topic", () => {
    const events = [outboxEvent("e1", "MESSAGE", messagePayload()), outboxEvent("e2", "MESSAGE", messagePayload({ title: "second" }))];
    const { messages, unencodable } = message.encode(events, { now: NOW, limits: limits() });
    expect(unencodable).toEqual([]);
    expect(messages.map((encoded) => encoded.message)).toEqual([
      {
        topic: "hobom.messages",
        key: "e1",
        value:
          '{"type":"MAIL_MESSAGE","title":"Today\'s menu","body":"Kimchi stew","recipient":"user@example.com","senderId":"sender-7","sentAt":"2024-05-06T07:08:09Z"}',
        headers: { "event-id": "e1", "event-type": "MESSAGE", source: "for-hobom-backend" },
      },
      {
        topic: "hobom.messages",
        key: "e2",
        value:
          '{"type":"MAIL_MESSAGE","title":"second","body":"Kimchi stew","recipient":"user@example.com","senderId":"sender-7","sentAt":"2024-05-06T07:08:09Z"}',
        headers: { "event-id": "e2", "event-type": "MESSAGE", source: "for-hobom-backend" },
      },
    ]);
    expect(messages.map((encoded) => encoded.events)).toEqual([[events[0]!], [events[1]!]]);
    for (const encoded of messages) {
      expect(encoded.bytes).toBe(messageBytes(encoded.message));
      expect(encoded.deadLetterValues).toEqual([encoded.message.value]);
      expect(encoded.destination).toBe("hobom.messages");
      expect(encoded.recordKey).toBe(encoded.message.key);
    }
  });

  test("refuses a row without payload with a MappingError and the raw row as the DLQ value, not replayable", () => {
    const bare = outboxEvent("e1", "MESSAGE", null);
    const good = outboxEvent("e2", "MESSAGE", messagePayload());
    const { messages, unencodable } = message.encode([bare, good], { now: NOW, limits: limits() });
    expect(messages.map((encoded) => encoded.message.key)).toEqual(["e2"]);
    expect(unencodable).toHaveLength(1);
    expect(unencodable[0]?.event).toBe(bare);
    expect(unencodable[0]?.error).toBeInstanceOf(MappingError);
    expect(unencodable[0]?.error.message).toBe("MESSAGE row e1 has no payload");
    expect(unencodable[0]?.value).toBe(JSON.stringify(bare.record));
    expect(unencodable[0]?.value).toBe(rawRow(bare));
    expect(unencodable[0]?.replayable).toBe(false);
  });

  test("turns a mapper's own failure into a MappingError with its cause, and the raw row", () => {
    const bad = outboxEvent("s1", "SPACE_EVENT", spacePayload({ pageId: "not-a-number" }));
    const { messages, unencodable } = space.encode([bad], { now: NOW, limits: limits() });
    expect(messages).toEqual([]);
    expect(unencodable[0]?.error).toBeInstanceOf(MappingError);
    expect(unencodable[0]?.value).toBe(rawRow(bad));
    expect(unencodable[0]?.replayable).toBe(false);
  });

  test("keeps the pageId digits exact in the message value", () => {
    const event = outboxEvent("s1", "SPACE_EVENT", spacePayload({ pageId: "9007199254740993" }));
    const { messages } = space.encode([event], { now: NOW, limits: limits() });
    expect(messages[0]?.message.value).toBe(
      '{"entityType":"PAGE","action":"CREATED","spaceKey":"ENG","pageId":9007199254740993,"title":"Runbook","actorId":"actor-1"}',
    );
    expect(messages[0]?.message.headers).toEqual({ "event-id": "s1", "event-type": "SPACE_EVENT", source: "hobom-space-backend" });
    expect(messages[0]?.message.topic).toBe("hobom.space-events");
  });

  test("refuses a message over the limit with RecordTooLargeError naming the setting, keeping the value, key and topic, replayable", () => {
    const event = outboxEvent("e1", "MESSAGE", messagePayload({ body: "x".repeat(2000) }));
    const fits = message.encode([event], { now: NOW, limits: limits() }).messages[0];
    if (!fits) throw new Error("expected a message");
    expect(message.encode([event], { now: NOW, limits: limits(fits.bytes) }).messages).toHaveLength(1);

    const over = message.encode([event], { now: NOW, limits: limits(fits.bytes - 1) });
    expect(over.messages).toEqual([]);
    const refused = over.unencodable[0];
    expect(refused?.error).toBeInstanceOf(RecordTooLargeError);
    expect((refused?.error as RecordTooLargeError | undefined)?.bytes).toBe(fits.bytes);
    expect((refused?.error as RecordTooLargeError | undefined)?.limit).toBe(fits.bytes - 1);
    expect(refused?.error.message).toBe(`record is ${fits.bytes} bytes, over the ${fits.bytes - 1}-byte limit (HOBOM_KAFKA_MAX_MESSAGE_BYTES)`);
    expect(refused?.value).toBe(fits.message.value);
    expect(refused?.recordKey).toBe("e1");
    expect(refused?.destination).toBe("hobom.messages");
    expect(refused?.replayable).toBe(true);
  });

  test("counts multi-byte characters by their UTF-8 bytes", () => {
    const event = outboxEvent("e1", "MESSAGE", messagePayload({ body: "김치찌개" }));
    const encoded = message.encode([event], { now: NOW, limits: limits() }).messages[0];
    if (!encoded) throw new Error("expected a message");
    expect(encoded.bytes).toBe(Buffer.byteLength(encoded.message.value) + 2 + Buffer.byteLength("event-ide1event-typeMESSAGEsourcefor-hobom-backend"));
  });

  test("maps the value with the time it is given", () => {
    const event = outboxEvent("e1", "MESSAGE", messagePayload());
    const later = message.encode([event], { now: new Date("2025-01-02T03:04:05Z"), limits: limits() }).messages[0];
    expect(JSON.parse(later!.message.value).sentAt).toBe("2025-01-02T03:04:05Z");
  });

  test("encodes nothing for no events", () => {
    expect(message.encode([], { now: NOW, limits: limits() })).toEqual({ messages: [], unencodable: [] });
  });
});

describe("eventCodec: replay", () => {
  test("makes a DLQ entry the record it stands for: the stored value, keyed by eventId, with the pipeline's headers", () => {
    expect(message.replay({ eventId: "e1", eventType: "MESSAGE", value: '{"title":"x"}' })).toEqual({
      topic: "hobom.messages",
      key: "e1",
      value: '{"title":"x"}',
      headers: { "event-id": "e1", "event-type": "MESSAGE", source: "for-hobom-backend" },
    });
  });

  test("names the pipeline's event type for an entry the Go processor wrote (no metadata, no type)", () => {
    expect(message.replay({ eventId: "e1", eventType: "", value: "{}" }).headers["event-type"]).toBe("MESSAGE");
    expect(space.replay({ eventId: "s1", eventType: "", value: "{}" }).headers["event-type"]).toBe("SPACE_EVENT");
  });

  test("reads an angel value's own event type when the entry names none, and falls back to the first type", () => {
    expect(angel.replay({ eventId: "a1", eventType: "", value: '{"eventType":"FOSTER_TERMINATED"}' }).headers).toEqual({
      "event-id": "a1",
      "event-type": "FOSTER_TERMINATED",
      source: "for-hobom-angel-backend",
    });
    expect(angel.replay({ eventId: "a1", eventType: "STAFF_PROMOTION_APPROVED", value: '{"eventType":"FOSTER_TERMINATED"}' }).headers["event-type"]).toBe(
      "STAFF_PROMOTION_APPROVED",
    );
    expect(angel.replay({ eventId: "a1", eventType: "", value: "not json" }).headers["event-type"]).toBe("ADOPTION_APPROVED");
    expect(angel.replay({ eventId: "a1", eventType: "", value: '{"eventType":7}' }).headers["event-type"]).toBe("ADOPTION_APPROVED");
    // Only the angel values name their type: a message value's field is not read.
    expect(message.replay({ eventId: "e1", eventType: "", value: '{"eventType":"OTHER"}' }).headers["event-type"]).toBe("MESSAGE");
  });

  test("replays exactly what encode sent for an entry it dead-lettered, also without the entry's metadata for angel", () => {
    const [encoded] = message.encode([outboxEvent("e1", "MESSAGE", messagePayload())], { now: NOW, limits: limits() }).messages;
    expect(message.replay({ eventId: "e1", eventType: "MESSAGE", value: encoded!.deadLetterValues[0]! })).toEqual(encoded!.message);
    const [angelEncoded] = angel.encode([outboxEvent("a1", "FOSTER_APPROVED", approval())], { now: NOW, limits: limits() }).messages;
    expect(angel.replay({ eventId: "a1", eventType: "", value: angelEncoded!.deadLetterValues[0]! })).toEqual(angelEncoded!.message);
  });
});
