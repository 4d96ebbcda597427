import { describe, expect, test } from "bun:test";
import { MappingError, RelayError, RetriesExhaustedError } from "../../../src/engine/errors.ts";
import { withRetry } from "../../../src/engine/retry.ts";
import { BackendCallError } from "../../../src/grpc/status.ts";

const unavailable = () => new BackendCallError("hobom-llm-service-backend", "Generate", "UNAVAILABLE", "connect failed", { retriable: true });

/** An attempt that fails `failures` times with `error()`, then returns "ok". */
function flaky(failures: number, error: () => unknown = unavailable) {
  const calls: number[] = [];
  const attempt = async () => {
    calls.push(performance.now());
    if (calls.length <= failures) throw error();
    return "ok";
  };
  return { attempt, calls };
}

describe("withRetry", () => {
  test("returns the first success without waiting", async () => {
    const { attempt, calls } = flaky(0);
    expect(await withRetry(attempt, { attempts: 3, backoffMs: [10_000] })).toBe("ok");
    expect(calls).toHaveLength(1);
  });

  test("retries a retriable failure and returns the later success", async () => {
    const { attempt, calls } = flaky(2);
    expect(await withRetry(attempt, { attempts: 3, backoffMs: [1, 1] })).toBe("ok");
    expect(calls).toHaveLength(3);
  });

  test("waits the table's waits between attempts", async () => {
    const { attempt, calls } = flaky(5);
    await withRetry(attempt, { attempts: 3, backoffMs: [20, 40] }).catch(() => {});
    expect(calls).toHaveLength(3);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(18);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(38);
  });

  test("gives up after the attempts with RetriesExhaustedError carrying the count and the last cause", async () => {
    let n = 0;
    const error = await withRetry(
      async () => {
        throw new BackendCallError("llm", "Generate", "UNAVAILABLE", `try ${++n}`, { retriable: true });
      },
      { attempts: 3, backoffMs: [1] },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).attempts).toBe(3);
    expect(((error as RetriesExhaustedError).cause as Error).message).toContain("try 3");
    expect((error as Error).message).toContain("failed after 3 attempts");
    expect(error).toBeInstanceOf(RelayError);
  });

  test("stops at once on a non-retriable RelayError", async () => {
    const refused = new BackendCallError("llm", "Generate", "INVALID_ARGUMENT", "bad request", { retriable: false });
    const { attempt, calls } = flaky(5, () => refused);
    const error = await withRetry(attempt, { attempts: 5, backoffMs: [10_000] }).catch((caught: unknown) => caught);
    expect(calls).toHaveLength(1);
    expect((error as RetriesExhaustedError).attempts).toBe(1);
    expect((error as RetriesExhaustedError).cause).toBe(refused);
    expect((error as Error).message).toContain("failed after 1 attempt:");
  });

  test("stops at once on a MappingError and on a TypeError", async () => {
    for (const make of [() => new MappingError("no payload"), () => new TypeError("x is not a function")]) {
      const { attempt, calls } = flaky(5, make);
      const error = await withRetry(attempt, { attempts: 5, backoffMs: [10_000] }).catch((caught: unknown) => caught);
      expect(calls).toHaveLength(1);
      expect(error).toBeInstanceOf(RetriesExhaustedError);
    }
  });

  test("retries errors that are not RelayErrors (an unknown failure may pass)", async () => {
    const { attempt, calls } = flaky(1, () => new Error("socket hang up"));
    expect(await withRetry(attempt, { attempts: 2, backoffMs: [1] })).toBe("ok");
    expect(calls).toHaveLength(2);
  });

  test("stops without another attempt when the signal aborted before the failure", async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const error = await withRetry(
      async () => {
        calls.push(1);
        controller.abort();
        throw unavailable();
      },
      { attempts: 5, backoffMs: [10_000], signal: controller.signal },
    ).catch((caught: unknown) => caught);
    expect(calls).toHaveLength(1);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
  });

  test("makes no further attempt when the signal aborts during the wait", async () => {
    const controller = new AbortController();
    const { attempt, calls } = flaky(5);
    setTimeout(() => controller.abort(), 20);
    const started = performance.now();
    const error = await withRetry(attempt, { attempts: 5, backoffMs: [10_000], signal: controller.signal }).catch((caught: unknown) => caught);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(calls).toHaveLength(1);
  });
});
