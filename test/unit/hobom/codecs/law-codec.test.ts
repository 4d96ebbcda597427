import { describe, expect, test } from "bun:test";
import { MappingError, PermanentEventError } from "../../../../src/engine/errors.ts";
import { lawCodec } from "../../../../src/hobom/codecs/law-codec.ts";
import { rawRow } from "../../../../src/hobom/codecs/rows.ts";
import { lawPayload, outboxEvent } from "../payloads.ts";

const context = { now: new Date("2024-05-06T07:08:09Z"), limits: { maxEvents: 1, maxBytes: Number.POSITIVE_INFINITY, maxBytesSetting: "(none)" } };
const GO_VALUE = '{"diffId":"diff-9","changes":[{"articleNo":"제1조","changeType":"MODIFIED","before":"old text","after":"new text"}]}';

describe("lawCodec: encode", () => {
  test("hands each law change's payload to the sink as it came, with the Go processor's JSON for the DLQ", () => {
    const event = outboxEvent("l1", "LAW_CHANGED", lawPayload({ diffId: "diff-9" }));
    const { messages, unencodable } = lawCodec().encode([event], context);
    expect(unencodable).toEqual([]);
    expect(messages).toEqual([{ events: [event], message: lawPayload({ diffId: "diff-9" }), bytes: 0, deadLetterValues: [GO_VALUE] }]);
  });

  test("refuses a row without payload with a MappingError and the raw row, not replayable", () => {
    const bare = outboxEvent("l1", "LAW_CHANGED", null);
    const { messages, unencodable } = lawCodec().encode([bare, outboxEvent("l2", "LAW_CHANGED", lawPayload())], context);
    expect(messages.map((encoded) => encoded.events[0]?.id)).toEqual(["l2"]);
    expect(unencodable).toHaveLength(1);
    expect(unencodable[0]?.error).toBeInstanceOf(MappingError);
    expect(unencodable[0]?.error.message).toBe("LAW_CHANGED row l1 has no payload");
    expect(unencodable[0]?.value).toBe(rawRow(bare));
    expect(unencodable[0]?.replayable).toBe(false);
  });
});

describe("lawCodec: replay", () => {
  test("reads the payload back from the Go processor's JSON", () => {
    expect(lawCodec().replay({ eventId: "l1", eventType: "LAW_CHANGED", value: GO_VALUE })).toEqual(lawPayload({ diffId: "diff-9" }));
  });

  test("reads every article field as text, missing ones as empty", () => {
    const value = JSON.stringify({ diffId: "d", changes: [{ articleNo: 3, changeType: "ADDED", after: "a" }, null] });
    expect(lawCodec().replay({ eventId: "l1", eventType: "", value })).toEqual({
      diffId: "d",
      changes: [
        { articleNo: "3", changeType: "ADDED", before: "", after: "a" },
        { articleNo: "", changeType: "", before: "", after: "" },
      ],
    });
  });

  test("refuses an entry that is not JSON, or not the law payload's shape, as never deliverable", () => {
    const replay = (value: string) => () => lawCodec().replay({ eventId: "l1", eventType: "", value });
    expect(replay("not json")).toThrow(new PermanentEventError("the law entry is not JSON"));
    for (const value of ["null", "[]", '{"diffId":1,"changes":[]}', '{"diffId":"d"}', '{"diffId":"d","changes":{}}']) {
      expect(replay(value)).toThrow(new PermanentEventError('the law entry is not {"diffId","changes":[…]}'));
    }
  });
});
