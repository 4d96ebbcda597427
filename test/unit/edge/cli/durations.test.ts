import { describe, expect, test } from "bun:test";
import { UsageError } from "../../../../src/edge/cli/args.ts";
import { checkAge, relativeTime, spanText } from "../../../../src/edge/cli/durations.ts";

describe("ages", () => {
  test("--older-than takes the API's durations and nothing else", () => {
    for (const value of ["30s", "15m", "2h", "7d", "100d"]) expect(checkAge("--older-than", value)).toBe(value);
    for (const value of ["2", "2 h", "h", "0h", "-1h", "1w", "1.5h", "2H"]) {
      expect(() => checkAge("--older-than", value)).toThrow(UsageError);
    }
    expect(() => checkAge("--older-than", "2hours")).toThrow(
      '--older-than "2hours" is not an age; write a whole number and s, m, h or d, e.g. 30s, 15m, 2h, 7d',
    );
  });

  test("spans are printed in at most two units", () => {
    expect([0, 45_000, 12 * 60_000, 3 * 3_600_000, (3 * 60 + 12) * 60_000, 2 * 86_400_000, 2 * 86_400_000 + 3 * 3_600_000].map(spanText)).toEqual([
      "0s",
      "45s",
      "12m",
      "3h",
      "3h12m",
      "2d",
      "2d3h",
    ]);
  });

  test("relative times say ago or in, and - for nothing", () => {
    const now = new Date("2026-12-01T12:00:00.000Z");
    expect(relativeTime("2026-12-01T09:00:00.000Z", now)).toBe("3h ago");
    expect(relativeTime("2026-12-04T12:00:00.000Z", now)).toBe("in 3d");
    expect([relativeTime(null, now), relativeTime("not a time", now)]).toEqual(["-", "-"]);
  });
});
