import { describe, expect, test } from "bun:test";
import type { DlqError } from "../../../../src/edge/http/dlq-errors.ts";
import { type EntryFilterValues, searchFilter } from "../../../../src/edge/http/entry-filters.ts";
import { decodeCursor, encodeCursor } from "../../../../src/edge/http/search-cursor.ts";

const CATALOG = [
  { name: "message", dlqPrefix: "dlq:menu:" },
  { name: "log", dlqPrefix: "dlq:log:" },
];
const NOW = 1_000_000_000;
const none: EntryFilterValues = { pipeline: undefined, prefix: undefined, reason: undefined, eventType: undefined, olderThan: undefined, newerThan: undefined };
const filter = (values: Partial<EntryFilterValues>, required = false) =>
  searchFilter({ ...none, ...values }, { namespace: "ns:", catalog: CATALOG, now: NOW, route: "POST /dlq/retry", required });
const refusal = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    return (error as DlqError).code;
  }
  return "accepted";
};

describe("searchFilter", () => {
  test("a pipeline or a prefix is its prefix; neither is every prefix, unless the route needs one", () => {
    expect(filter({ pipeline: "log" }).prefixes).toEqual(["dlq:log:"]);
    expect(filter({ prefix: "ns:dlq:menu:" }).prefixes).toEqual(["dlq:menu:"]);
    expect(filter({}).prefixes).toEqual(["dlq:menu:", "dlq:log:"]);
    expect(filter({ prefix: "" }).prefixes).toEqual(["dlq:menu:", "dlq:log:"]);
    expect(refusal(() => filter({}, true))).toBe("invalid query");
    expect(refusal(() => filter({ prefix: "" }, true))).toBe("invalid prefix");
    expect(refusal(() => filter({ pipeline: "log", prefix: "ns:dlq:log:" }))).toBe("invalid query");
    expect(refusal(() => filter({ pipeline: "nope" }))).toBe("invalid pipeline");
  });

  test("ages become failure times before now; an empty range is refused", () => {
    expect(filter({ olderThan: 1000, newerThan: 5000 })).toMatchObject({ failedUntil: NOW - 1000, failedFrom: NOW - 5000 });
    expect(refusal(() => filter({ olderThan: 5000, newerThan: 1000 }))).toBe("invalid query");
    expect(filter({ reason: "", eventType: "" })).toEqual({ prefixes: ["dlq:menu:", "dlq:log:"] });
  });
});

describe("the entries cursor", () => {
  test("round-trips a position and refuses anything else", () => {
    const position = { failedAt: 1733050000000, key: "ns:dlq:menu:e-1" };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    for (const bad of ["", "abc", Buffer.from("[1]").toString("base64url"), Buffer.from('["x","k"]').toString("base64url")]) {
      expect(refusal(() => decodeCursor(bad))).toBe("invalid cursor");
    }
  });
});
