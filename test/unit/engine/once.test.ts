import { describe, expect, test } from "bun:test";
import { createOnce } from "../../../src/engine/once.ts";

describe("createOnce", () => {
  test("reports each key once", () => {
    const once = createOnce();
    const reported: string[] = [];
    for (const key of ["a", "b", "a", "a", "b", "c"]) once(key, () => reported.push(key));
    expect(reported).toEqual(["a", "b", "c"]);
  });

  test("forgets the oldest keys past its limit, so it never grows without bound", () => {
    const once = createOnce(2);
    const reported: string[] = [];
    for (const key of ["a", "b", "c", "a"]) once(key, () => reported.push(key));
    expect(reported).toEqual(["a", "b", "c", "a"]);
  });
});
