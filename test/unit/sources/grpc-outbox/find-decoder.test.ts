import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import protobuf from "protobufjs";
import { findResponseDeserializer, isUndecodable, loadFindDecoders } from "../../../../src/sources/grpc-outbox/find-decoder.ts";

const root = new protobuf.Root().loadSync(resolve(import.meta.dir, "../../../../proto/outbox_message.proto"), { keepCase: true });
const Row = root.lookupType("outbox.message.QueryResult");
const Response = root.lookupType("outbox.message.Response");
const OPTIONS = { longs: String, enums: String, defaults: true, oneofs: true };
const decode = findResponseDeserializer(Row, OPTIONS);

function response(...rows: Uint8Array[]): Buffer {
  const writer = protobuf.Writer.create();
  for (const row of rows) writer.uint32((1 << 3) | 2).bytes(row);
  return Buffer.from(writer.finish());
}

const goodRow = (eventId: string) => Row.encode(Row.fromObject({ eventId, eventType: "MESSAGE", payload: { title: "hi" } })).finish();

/**
 * A row whose payload holds an unknown field with wire type 7, which no encoder writes (protobufjs
 * reads known fields without checking their wire type, so the corrupt tag is on an unknown one).
 */
function corruptRow(eventId: string): Uint8Array {
  const writer = protobuf.Writer.create();
  writer.uint32((2 << 3) | 2).string(eventId);
  writer.uint32((3 << 3) | 2).string("MESSAGE");
  writer.uint32((4 << 3) | 2).bytes(new Uint8Array([(15 << 3) | 7, 0x01]));
  writer.uint32((11 << 3) | 2).string("Mon Nov 23 2026");
  return writer.finish();
}

/** Every row of a decoded response. */
const all = (bytes: Buffer) => {
  const { items } = decode(bytes);
  return items.decode(0, items.count);
};

describe("findResponseDeserializer", () => {
  test("decodes well-formed rows exactly as grpc-js with the loader options would", () => {
    const bytes = response(goodRow("a"), goodRow("b"));
    expect({ items: all(bytes) }).toEqual(Response.toObject(Response.decode(bytes), OPTIONS) as { items: never[] });
  });

  test("counts the rows without decoding them, and decodes any slice of them on demand", () => {
    const { items } = decode(response(...["a", "b", "c", "d", "e"].map(goodRow)));
    expect(items.count).toBe(5);
    expect(items.decode(1, 3).map((row) => row.eventId)).toEqual(["b", "c"]);
    expect(items.decode(3, 99).map((row) => row.eventId)).toEqual(["d", "e"]);
    expect(items.decode(5, 6)).toEqual([]);
  });

  test("decodes a slice afresh each time, so the caller decides what stays in memory", () => {
    const { items } = decode(response(goodRow("a")));
    const [first] = items.decode(0, 1);
    const [again] = items.decode(0, 1);
    expect(again).toEqual(first!);
    expect(again).not.toBe(first!);
  });

  test("skips fields of the response other than its rows", () => {
    const writer = protobuf.Writer.create();
    writer.uint32((1 << 3) | 2).bytes(goodRow("a"));
    writer.uint32((7 << 3) | 0).uint32(42);
    writer.uint32((1 << 3) | 2).bytes(goodRow("b"));
    expect(all(Buffer.from(writer.finish())).map((row) => row.eventId)).toEqual(["a", "b"]);
  });

  test("refuses a response whose last row is cut short, so that grpc-js fails the Find", () => {
    const whole = response(goodRow("a"), goodRow("b"));
    expect(() => decode(whole.subarray(0, whole.length - 3))).toThrow(RangeError);
  });

  test("returns a row that does not decode as undecodable, with its ids, error and bytes, and keeps the others", () => {
    const bad = corruptRow("bad-1");
    const items = all(response(goodRow("a"), bad, goodRow("b")));
    expect(items.map((row) => row.eventId)).toEqual(["a", "bad-1", "b"]);
    const broken = items[1];
    if (!broken || !isUndecodable(broken)) throw new Error("expected an undecodable row");
    expect(broken.eventType).toBe("MESSAGE");
    expect(broken.payload).toBeNull();
    expect(broken.decodeError).toContain("wire type");
    expect(Buffer.from(broken.raw, "base64")).toEqual(Buffer.from(bad));
    expect(isUndecodable(items[0] as never)).toBe(false);
  });

  test("salvages an empty eventId when even the row's top level is unreadable", () => {
    const items = all(response(new Uint8Array([0xff, 0xff, 0xff])));
    expect(items).toHaveLength(1);
    expect(items[0]?.eventId).toBe("");
  });

  test("every Find service has a row decoder built from the embedded protos", () => {
    expect(Object.keys(loadFindDecoders()).sort()).toEqual(["angelFind", "lawFind", "logFind", "messageFind", "spaceFind"]);
  });
});
