import { describe, expect, test } from "bun:test";
import { MappingError } from "../../../../src/engine/errors.ts";
import { mapRow, rawRow, rowOf } from "../../../../src/hobom/codecs/rows.ts";
import { outboxEvent, outboxRow } from "../payloads.ts";

describe("the rows of HoBom events", () => {
  test("rowOf is the outbox row the event was made of, and rawRow that row as JSON", () => {
    const row = outboxRow("e1", "MESSAGE", { title: "t" });
    const event = outboxEvent("e1", "MESSAGE", { title: "t" });
    expect(rowOf(event)).toEqual(row);
    expect(rawRow(event)).toBe(JSON.stringify(row));
  });

  test("mapRow hands the mapper a row with its payload and returns what it made", () => {
    expect(mapRow(outboxEvent("e1", "MESSAGE", { title: "t" }), (row) => row.payload)).toEqual({ title: "t" });
  });

  test("mapRow says there is no payload, without calling the mapper, for a row without one", () => {
    let called = false;
    const result = mapRow(outboxEvent("e1", "MESSAGE", null), () => (called = true));
    expect(result).toBeInstanceOf(MappingError);
    expect((result as MappingError).message).toBe("MESSAGE row e1 has no payload");
    expect(called).toBe(false);
  });

  test("mapRow returns a mapper's MappingError as it is, and wraps any other throw with its cause", () => {
    const refusal = new MappingError("angel HOBOM_LOG row carries nothing");
    expect(
      mapRow(outboxEvent("e1", "HOBOM_LOG", {}), () => {
        throw refusal;
      }),
    ).toBe(refusal);
    const bug = new TypeError("cannot read properties of undefined (reading 'x')");
    const wrapped = mapRow(outboxEvent("e2", "SPACE_EVENT", {}), () => {
      throw bug;
    });
    expect(wrapped).toBeInstanceOf(MappingError);
    expect((wrapped as MappingError).message).toBe("SPACE_EVENT row e2 cannot be mapped: cannot read properties of undefined (reading 'x')");
    expect((wrapped as MappingError).cause).toBe(bug);
  });
});
