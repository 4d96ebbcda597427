import { describe, expect, test } from "bun:test";
import { spaceValue } from "../../../../src/hobom/mappers/space.ts";
import { spacePayload } from "../payloads.ts";

describe("spaceValue", () => {
  test("writes every field in the Go order with pageId as a JSON number", () => {
    expect(JSON.stringify(spaceValue(spacePayload()))).toBe(
      '{"entityType":"PAGE","action":"CREATED","spaceKey":"ENG","pageId":42,"title":"Runbook","actorId":"actor-1"}',
    );
  });

  test("keeps an int64 pageId past 2^53 exact, as a number and not a string", () => {
    const json = JSON.stringify(spaceValue(spacePayload({ pageId: "9007199254740993" })));
    expect(json).toContain('"pageId":9007199254740993,');
    expect(json).not.toContain('"9007199254740993"');
  });

  test("keeps the int64 extremes exact", () => {
    expect(JSON.stringify(spaceValue(spacePayload({ pageId: "9223372036854775807" })))).toContain('"pageId":9223372036854775807,');
    expect(JSON.stringify(spaceValue(spacePayload({ pageId: "-9223372036854775808" })))).toContain('"pageId":-9223372036854775808,');
    expect(JSON.stringify(spaceValue(spacePayload({ pageId: "0" })))).toContain('"pageId":0,');
  });

  test("writes empty fields too: every field is always present", () => {
    const empty = { entityType: "", action: "", spaceKey: "", pageId: "0", title: "", actorId: "" };
    expect(JSON.stringify(spaceValue(empty))).toBe('{"entityType":"","action":"","spaceKey":"","pageId":0,"title":"","actorId":""}');
  });

  test("refuses a pageId that is not an integer instead of writing invalid JSON", () => {
    expect(() => spaceValue(spacePayload({ pageId: "12abc" }))).toThrow();
    expect(() => spaceValue(spacePayload({ pageId: "" }))).toThrow();
  });
});
