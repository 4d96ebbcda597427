import { describe, expect, test } from "bun:test";
import { withDeadline } from "../../../src/engine/deadline.ts";

describe("withDeadline", () => {
  test("answers as the work does when it settles in time", async () => {
    expect(await withDeadline(Promise.resolve("done"), 1_000, () => new Error("late"))).toBe("done");
    const failed = await withDeadline(Promise.reject(new Error("refused")), 1_000, () => new Error("late")).catch((error: Error) => error.message);
    expect(failed).toBe("refused");
  });

  test("rejects with the deadline's error when the work outlives it, and swallows the work's later rejection", async () => {
    let fail: (error: Error) => void = () => {};
    const work = new Promise<string>((_, reject) => {
      fail = reject;
    });
    const outcome = await withDeadline(work, 10, () => new Error("no answer within 10 ms")).catch((error: Error) => error.message);
    expect(outcome).toBe("no answer within 10 ms");
    fail(new Error("too late to matter"));
    await Bun.sleep(0);
  });
});
