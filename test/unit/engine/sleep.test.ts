import { describe, expect, test } from "bun:test";
import { sleep } from "../../../src/engine/sleep.ts";

describe("sleep", () => {
  test("resolves after the wait", async () => {
    const started = performance.now();
    await sleep(25);
    expect(performance.now() - started).toBeGreaterThanOrEqual(23);
  });

  test("resolves early, without rejecting, when the signal aborts", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error("stop")), 10);
    await sleep(10_000, controller.signal);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test("resolves at once for an aborted signal or a wait of zero or less", async () => {
    const controller = new AbortController();
    controller.abort();
    const started = performance.now();
    await sleep(10_000, controller.signal);
    await sleep(0);
    await sleep(-5);
    expect(performance.now() - started).toBeLessThan(50);
  });
});
