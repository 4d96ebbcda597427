import { describe, expect, test } from "bun:test";
import type { DlqError } from "../../../../src/edge/http/dlq-errors.ts";
import { duration, flag, readQuery, scanCursor, text, wholeNumber } from "../../../../src/edge/http/query-params.ts";

const refusal = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    return `${(error as DlqError).code}: ${(error as DlqError).detail}`;
  }
  return "accepted";
};

describe("query parameters", () => {
  test("booleans are true or false only", () => {
    const param = flag("", false);
    expect([param.read(undefined, "dryRun"), param.read("true", "dryRun"), param.read("false", "dryRun")]).toEqual([false, true, false]);
    for (const raw of ["TRUE", "1", "yes", ""])
      expect(refusal(() => param.read(raw, "dryRun"))).toBe("invalid dryRun: dryRun is true or false (default false)");
  });

  test("numbers are decimal whole numbers within their range", () => {
    const param = wholeNumber("", 1, 500, 100);
    expect([param.read(undefined, "limit"), param.read("1", "limit"), param.read("500", "limit"), param.read("007", "limit")]).toEqual([100, 1, 500, 7]);
    for (const raw of ["0", "501", "-1", "1.5", "1e2", "0x10", " 5", ""]) {
      expect(refusal(() => param.read(raw, "limit"))).toBe("invalid limit: limit is a whole number from 1 to 500 (default 100)");
    }
  });

  test("durations are a number and s, m, h or d, read as milliseconds", () => {
    const param = duration("");
    expect(["30s", "15m", "2h", "7d"].map((raw) => param.read(raw, "olderThan"))).toEqual([30_000, 900_000, 7_200_000, 604_800_000]);
    expect(param.read(undefined, "olderThan")).toBeUndefined();
    for (const raw of ["2", "2 h", "2H", "1w", "-1h", "1.5h"]) expect(refusal(() => param.read(raw, "olderThan"))).toStartWith("invalid olderThan: ");
  });

  test("a SCAN cursor is an unsigned 64-bit number", () => {
    const param = scanCursor("");
    expect(param.read("18446744073709551615", "cursor")).toBe("18446744073709551615");
    for (const raw of ["18446744073709551616", "abc", "-1"]) expect(refusal(() => param.read(raw, "cursor"))).toStartWith("invalid cursor: ");
  });

  test("text is bounded, and a parameter given twice is refused", () => {
    expect(refusal(() => text("", 3).read("abcd", "reason"))).toBe("invalid reason: reason has at most 3 characters");
    const spec = { prefix: text("") };
    expect(readQuery(spec, new URLSearchParams("prefix=a"))).toEqual({ prefix: "a" });
    expect(refusal(() => readQuery(spec, new URLSearchParams("prefix=a&prefix=b")))).toBe('invalid query: parameter "prefix" is given 2 times; give it once');
  });
});
