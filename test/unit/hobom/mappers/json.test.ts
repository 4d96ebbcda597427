import { describe, expect, test } from "bun:test";
import { int64Json, rfc3339Seconds, timestampToRfc3339, withoutEmpty } from "../../../../src/hobom/mappers/json.ts";

describe("int64Json", () => {
  test("writes the decimal digits as a raw JSON number", () => {
    expect(JSON.stringify({ n: int64Json("9007199254740993") })).toBe('{"n":9007199254740993}');
    expect(JSON.stringify({ n: int64Json("-17") })).toBe('{"n":-17}');
  });

  test("drops leading zeros, which JSON numbers may not have", () => {
    expect(JSON.stringify({ n: int64Json("007") })).toBe('{"n":7}');
    expect(JSON.stringify({ n: int64Json("-0042") })).toBe('{"n":-42}');
    expect(JSON.stringify({ n: int64Json("000") })).toBe('{"n":0}');
  });

  test("refuses anything that is not a plain integer", () => {
    for (const bad of ["", "1.5", "1e3", " 1", "0x10", "12345678901234567890123", "-", "NaN"]) {
      expect(() => int64Json(bad)).toThrow(TypeError);
    }
  });
});

describe("rfc3339Seconds", () => {
  test("writes UTC with whole seconds and a Z, like Go's time.RFC3339", () => {
    expect(rfc3339Seconds(new Date("2024-05-06T07:08:09.987Z"))).toBe("2024-05-06T07:08:09Z");
    expect(rfc3339Seconds(new Date("2024-05-06T07:08:09.000Z"))).toBe("2024-05-06T07:08:09Z");
  });
});

describe("timestampToRfc3339", () => {
  test("drops the nanoseconds of a protobuf Timestamp", () => {
    expect(timestampToRfc3339({ seconds: "1700000000", nanos: 999_999_999 })).toBe("2023-11-14T22:13:20Z");
    expect(timestampToRfc3339({ seconds: "0", nanos: 0 })).toBe("1970-01-01T00:00:00Z");
  });
});

describe("withoutEmpty", () => {
  test("drops empty strings, zeros, null, empty maps and empty arrays, keeping the order of the rest", () => {
    const source = { a: "", b: "x", c: 0, d: 5, e: {}, f: { k: "" }, g: [], h: [1], i: null, j: false };
    expect(JSON.stringify(withoutEmpty(source))).toBe('{"b":"x","d":5,"f":{"k":""},"h":[1],"j":false}');
  });
});
