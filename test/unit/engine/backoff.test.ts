import { describe, expect, test } from "bun:test";
import { backoffDelay } from "../../../src/engine/backoff.ts";

const FIND = [10_000, 20_000, 40_000, 60_000];

describe("backoffDelay", () => {
  test("follows the table and repeats its last entry", () => {
    expect([1, 2, 3, 4, 5, 6, 100].map((failures) => backoffDelay(FIND, failures))).toEqual([10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000]);
  });

  test("waits nothing before the first failure or with an empty table", () => {
    expect(backoffDelay(FIND, 0)).toBe(0);
    expect(backoffDelay(FIND, -1)).toBe(0);
    expect(backoffDelay([], 3)).toBe(0);
  });

  test("adds at most 10 % jitter, from the injected randomness", () => {
    expect(backoffDelay(FIND, 1, 0)).toBe(10_000);
    expect(backoffDelay(FIND, 1, 0.5)).toBe(10_500);
    expect(backoffDelay(FIND, 4, 0.999_999)).toBeLessThanOrEqual(66_000);
    expect(backoffDelay(FIND, 4, 0.999_999)).toBeGreaterThanOrEqual(65_999);
  });

  test("returns whole milliseconds", () => {
    expect(Number.isInteger(backoffDelay([333], 1, 0.123))).toBe(true);
  });
});
