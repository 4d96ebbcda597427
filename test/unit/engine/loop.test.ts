import { describe, expect, test } from "bun:test";
import type { CycleOutcome } from "../../../src/engine/cycle.ts";
import { BreakerOpenError } from "../../../src/engine/errors.ts";
import { runLoop } from "../../../src/engine/loop.ts";
import { createPoller } from "../../../src/engine/polling.ts";
import type { SourceBatch } from "../../../src/engine/ports.ts";
import { BackendCallError } from "../../../src/grpc/status.ts";
import { createLogger, type Logger, silentLogger } from "../../../src/observability/logger.ts";
import { KafkaTopicError } from "../../../src/sinks/kafka/errors.ts";
import { deferred, flush, RecordingMetrics } from "./fakes.ts";

const INTERVAL = 5_000;
const FIND_BACKOFF = [10_000, 20_000, 40_000, 60_000];
const START = 1_000_000;
const done = (more = false): CycleOutcome => ({ status: "done", fetched: 1, more });
const findFailed = () => new BackendCallError("for-hobom-backend", "Find", "UNAVAILABLE", "", { retriable: true });
const failed = (error: unknown = findFailed()): CycleOutcome => ({ status: "failed", error });
const emptyBatch = (more = false): SourceBatch => ({ count: 0, more, slices: () => [], settle: async () => ({ failed: [] }) });

type Step = CycleOutcome | (() => Promise<CycleOutcome>) | Error | { takeFails: unknown };

/**
 * Runs the loop over scripted cycles with a fake clock, on a source that polls with createPoller:
 * the loop's own waits are `wait:<ms>`, the source's waits for its poll interval `poll-wait:<ms>`.
 * A done step's `more` is what the source's take said. Stops (aborts) after `sleeps` waits of the
 * loop.
 */
async function runScript(options: {
  steps: Step[];
  sleeps: number;
  gate?: (now: number) => number;
  /** Receives a function that moves the fake clock, for cycles that take time. */
  onClock?: (advance: (ms: number) => void) => void;
  log?: Logger;
}) {
  const controller = new AbortController();
  const timeline: string[] = [];
  const metrics = new RecordingMetrics();
  const outcomes: CycleOutcome[] = [];
  let clock = START;
  let steps = 0;
  options.onClock?.((ms) => (clock += ms));
  const poller = createPoller({
    intervalMs: INTERVAL,
    now: () => clock,
    sleep: async (ms) => {
      timeline.push(`poll-wait:${ms}`);
      clock += ms;
    },
  });
  let step: Step | undefined;
  await runLoop({
    name: "message",
    source: {
      ready: (signal) => poller.ready(signal),
      take: async () => {
        const polling = poller.polling();
        timeline.push("take");
        step = options.steps[steps++] ?? done();
        if ("takeFails" in step) throw step.takeFails;
        const more = !(step instanceof Error) && typeof step !== "function" && step.status === "done" && step.more;
        polling.done(more);
        return emptyBatch(more);
      },
    },
    failureBackoffMs: FIND_BACKOFF,
    signal: controller.signal,
    log: options.log ?? silentLogger,
    metrics,
    now: () => clock,
    random: () => 0,
    gate: options.gate ? () => options.gate!(clock) : undefined,
    sleep: async (ms) => {
      timeline.push(`wait:${ms}`);
      clock += ms;
      if (timeline.filter((entry) => entry.startsWith("wait")).length >= options.sleeps) controller.abort();
    },
    onOutcome: (outcome) => void outcomes.push(outcome),
    cycle: async () => {
      timeline.push("cycle");
      const next = step as Exclude<Step, { takeFails: unknown }>;
      if (next instanceof Error) throw next;
      return typeof next === "function" ? next() : next;
    },
  });
  const numbers = (prefix: string) => timeline.filter((entry) => entry.startsWith(prefix)).map((entry) => Number(entry.slice(prefix.length)));
  return { timeline, waits: numbers("wait:"), pollWaits: numbers("poll-wait:"), metrics, outcomes, now: () => clock };
}

describe("runLoop", () => {
  test("takes a batch when the source is ready, runs it through a cycle, and takes the next one when the source is ready again", async () => {
    const { timeline } = await runScript({ steps: [done(), done(), done()], sleeps: 3 });
    expect(timeline).toEqual(["take", "cycle", "wait:0", "poll-wait:5000", "take", "cycle", "wait:0", "poll-wait:5000", "take", "cycle", "wait:0"]);
  });

  test("leaves the poll interval to the source: counted from the start of the previous take, the cycle's own time is not added to it", async () => {
    let advance: (ms: number) => void = () => {};
    const taking = (ms: number) => async () => {
      advance(ms);
      return done();
    };
    const { waits, pollWaits } = await runScript({ steps: [taking(1_200), taking(4_999), taking(0)], sleeps: 3, onClock: (move) => (advance = move) });
    expect(waits).toEqual([0, 0, 0]);
    expect(pollWaits).toEqual([INTERVAL - 1_200, 1]);
  });

  test("takes again at once after a take that said more is waiting", async () => {
    const { waits, pollWaits } = await runScript({ steps: [done(true), done(true), done(false), done()], sleeps: 4 });
    expect(waits).toEqual([0, 0, 0, 0]);
    expect(pollWaits).toEqual([INTERVAL]);
  });

  test("backs off 10, 20, 40, 60 s after consecutive failures, capped, then returns to the source's interval", async () => {
    const steps = [failed(), failed(), failed(), failed(), failed(), failed(), done(), failed()];
    const { waits, pollWaits } = await runScript({ steps, sleeps: steps.length });
    expect(waits).toEqual([10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 0, 10_000]);
    // A backoff is longer than the interval: only after the cycle that went well does the source wait.
    expect(pollWaits).toEqual([INTERVAL]);
  });

  test("counts a cycle that threw as a failure", async () => {
    const { waits, metrics } = await runScript({ steps: [new Error("bug"), new Error("bug")], sleeps: 2 });
    expect(waits).toEqual([10_000, 20_000]);
    expect(metrics.cycles).toEqual([
      { pipeline: "message", outcome: "failed" },
      { pipeline: "message", outcome: "failed" },
    ]);
  });

  test("counts a take that failed (a Find that failed) as a failed cycle, of that dependency, without running a cycle", async () => {
    const down = findFailed();
    const { timeline, metrics, outcomes } = await runScript({ steps: [{ takeFails: down }], sleeps: 1 });
    expect(timeline).toEqual(["take", "wait:10000"]);
    expect(outcomes).toEqual([{ status: "failed", error: down }]);
    expect(metrics.cycles).toEqual([{ pipeline: "message", outcome: "failed" }]);
    expect(metrics.dependencyErrors).toEqual(["grpc"]);
  });

  test("waits until the breaker's retryAt when the sink is unavailable, without growing the failure backoff", async () => {
    const unavailableIn = (retryInMs: number) => () => Promise.resolve(failed(new BreakerOpenError("kafka", START + retryInMs)));
    const { waits } = await runScript({ steps: [unavailableIn(7_000), failed(), done()], sleeps: 3 });
    expect(waits).toEqual([7_000, 10_000, 0]);
  });

  test("does not wait for a retryAt already past", async () => {
    const { waits } = await runScript({ steps: [failed(new BreakerOpenError("kafka", 0))], sleeps: 1 });
    expect(waits).toEqual([0]);
  });

  test("takes no batch before the gate (the sink's breaker) opens", async () => {
    const gateUntil = START + 3_000;
    const { timeline } = await runScript({ steps: [done()], sleeps: 2, gate: (now) => (now < gateUntil ? gateUntil : 0) });
    expect(timeline).toEqual(["wait:3000", "take", "cycle", "wait:0"]);
  });

  test("records each cycle's outcome in the metrics and tells onOutcome", async () => {
    const error = findFailed();
    const { metrics, outcomes } = await runScript({ steps: [done(), failed(error)], sleeps: 2 });
    expect(metrics.cycles.map((cycle) => cycle.outcome)).toEqual(["done", "failed"]);
    expect(outcomes).toEqual([done(), failed(error)]);
  });

  test("hands the cycle the batch the source took and the stop signal", async () => {
    const controller = new AbortController();
    const batch = emptyBatch();
    const seen: [SourceBatch, AbortSignal][] = [];
    await runLoop({
      name: "message",
      source: { ready: async () => {}, take: async () => batch },
      failureBackoffMs: FIND_BACKOFF,
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      sleep: async () => {},
      cycle: async (taken, signal) => {
        seen.push([taken, signal]);
        controller.abort();
        return done();
      },
    });
    expect(seen).toEqual([[batch, controller.signal]]);
  });

  test("lets the cycle in flight finish when stopped, starts no other, and does not report it", async () => {
    const controller = new AbortController();
    let cycles = 0;
    let finished = 0;
    const reported: CycleOutcome[] = [];
    await runLoop({
      name: "message",
      source: { ready: async () => {}, take: async () => emptyBatch() },
      failureBackoffMs: FIND_BACKOFF,
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      onOutcome: (outcome) => void reported.push(outcome),
      sleep: async (_ms, signal) => {
        expect(signal.aborted).toBe(true);
      },
      cycle: async () => {
        cycles++;
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 5));
        finished++;
        return done();
      },
    });
    expect(cycles).toBe(1);
    expect(finished).toBe(1);
    expect(reported).toEqual([]);
  });

  test("takes no batch when stopped while the source waits to be ready", async () => {
    const controller = new AbortController();
    let takes = 0;
    const poller = createPoller({ intervalMs: 60_000 });
    const loop = runLoop({
      name: "message",
      source: {
        ready: (signal) => poller.ready(signal),
        take: async () => {
          takes++;
          poller.polling().done(false);
          return emptyBatch();
        },
      },
      failureBackoffMs: FIND_BACKOFF,
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      cycle: async () => done(),
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await loop;
    expect(takes).toBe(1);
  });

  test("never takes a batch once the signal aborted before the loop began", async () => {
    const controller = new AbortController();
    controller.abort();
    let takes = 0;
    let readies = 0;
    await runLoop({
      name: "message",
      source: {
        ready: async () => void readies++,
        take: async () => {
          takes++;
          return emptyBatch();
        },
      },
      failureBackoffMs: FIND_BACKOFF,
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      sleep: async () => {},
      cycle: async () => done(),
    });
    expect([readies, takes]).toEqual([0, 0]);
  });

  test("never overlaps cycles, even with no wait between them", async () => {
    let inFlight = 0;
    let most = 0;
    const slow = () => async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return done();
    };
    const { waits } = await runScript({ steps: [slow(), slow(), slow(), slow()], sleeps: 4 });
    expect(waits).toEqual([0, 0, 0, 0]);
    expect(most).toBe(1);
  });
});

describe("runLoop metrics", () => {
  test("counts a cycle that a dependency ended as an error of that dependency", async () => {
    const { metrics } = await runScript({
      steps: [failed(), failed(new BreakerOpenError("kafka", 0)), failed(new TypeError("a bug, not a dependency")), done()],
      sleeps: 4,
    });
    expect(metrics.dependencyErrors).toEqual(["grpc", "kafka"]);
  });
});

describe("runLoop and the settles of a cycle", () => {
  test("takes no batch before the previous cycle's settles are done; the time they took counts against the source's interval", async () => {
    const controller = new AbortController();
    const timeline: string[] = [];
    let clock = START;
    const settles = deferred();
    const poller = createPoller({
      intervalMs: INTERVAL,
      now: () => clock,
      sleep: async (ms) => {
        timeline.push(`poll-wait:${ms}`);
        clock += ms;
      },
    });
    let cycles = 0;
    const loop = runLoop({
      name: "message",
      source: {
        ready: (signal) => poller.ready(signal),
        take: async () => {
          poller.polling().done(false);
          return emptyBatch();
        },
      },
      failureBackoffMs: [10],
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      now: () => clock,
      sleep: async (ms) => void timeline.push(`wait:${ms}`),
      cycle: async () => {
        cycles++;
        timeline.push(`cycle ${cycles}`);
        if (cycles === 2) controller.abort();
        return { status: "done", fetched: 1, more: false, settled: cycles === 1 ? settles.promise.then(() => timeline.push("settles 1 done")) : undefined };
      },
    });
    await flush();
    expect(timeline).toEqual(["cycle 1", "wait:0"]);
    clock += 3_000;
    settles.resolve();
    await loop;
    expect(timeline).toEqual(["cycle 1", "wait:0", "settles 1 done", "poll-wait:2000", "cycle 2", "wait:0"]);
  });

  test("takes the next batch while the previous cycle's settles run when the source says it may, and a stop waits for the settles of every cycle", async () => {
    const controller = new AbortController();
    const order: string[] = [];
    const settles = [deferred(), deferred()];
    let takes = 0;
    const loop = runLoop({
      name: "message",
      source: {
        takesWhileSettling: true,
        ready: async () => {},
        take: async () => {
          takes++;
          order.push(`take ${takes}`);
          if (takes === 2) controller.abort();
          return emptyBatch();
        },
      },
      failureBackoffMs: [10],
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      sleep: async () => {},
      cycle: async () => {
        const index = takes - 1;
        return { status: "done", fetched: 1, more: false, settled: settles[index]!.promise.then(() => void order.push(`settled ${index + 1}`)) };
      },
    });
    let ended = false;
    void loop.then(() => (ended = true));
    await flush();
    expect(order).toEqual(["take 1", "take 2"]);
    settles[1]!.resolve();
    await flush();
    expect(ended).toBe(false);
    settles[0]!.resolve();
    await loop;
    expect(order).toEqual(["take 1", "take 2", "settled 2", "settled 1"]);
  });

  test("a stop waits for the settles of the cycle in flight", async () => {
    const controller = new AbortController();
    let settled = false;
    const loop = runLoop({
      name: "message",
      source: { ready: async () => {}, take: async () => emptyBatch() },
      failureBackoffMs: [10],
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      cycle: async () => {
        controller.abort();
        return { status: "done", fetched: 1, more: false, settled: Bun.sleep(30).then(() => (settled = true)) };
      },
    });
    await loop;
    expect(settled).toBe(true);
  });

  test("waits for the settles of a failed cycle too", async () => {
    const controller = new AbortController();
    const order: string[] = [];
    let takes = 0;
    await runLoop({
      name: "message",
      source: {
        ready: async () => {},
        take: async () => {
          takes++;
          order.push(`take ${takes}`);
          if (takes === 2) controller.abort();
          return emptyBatch();
        },
      },
      failureBackoffMs: [10],
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      sleep: async () => {},
      cycle: async () => ({ status: "failed", error: findFailed(), settled: Bun.sleep(5).then(() => void order.push(`settled ${takes}`)) }),
    });
    expect(order).toEqual(["take 1", "settled 1", "take 2", "settled 2"]);
  });
});

describe("runLoop's log", () => {
  function capture() {
    const lines: { level: string; msg: string; error?: string; retryInMs?: number }[] = [];
    return { lines, log: createLogger({ level: "info", write: (line) => void lines.push(JSON.parse(line)) }) };
  }

  test("logs a failure that repeats every cycle once, again when it changes, and the recovery", async () => {
    const { lines, log } = capture();
    const missing = new KafkaTopicError("hobom.messages", "missing");
    const hang = new BackendCallError("for-hobom-backend", "Find", "DEADLINE_EXCEEDED", "", { retriable: true });
    await runScript({ steps: [failed(missing), failed(missing), failed(missing), failed(hang), done()], sleeps: 5, log });
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ["warn", "cycle failed"],
      ["warn", "cycle failed"],
      ["info", "pipeline recovered"],
    ]);
    expect(lines[0]?.error).toContain("topic hobom.messages does not exist");
    expect(lines[1]?.error).toContain("DEADLINE_EXCEEDED");
  });

  test("says which sink is unavailable, and never logs an undefined error when its breaker has no cause", async () => {
    const { lines, log } = capture();
    await runScript({ steps: [failed(new BreakerOpenError("kafka", START + 2_000))], sleeps: 1, log });
    expect(lines).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "cycle stopped: kafka unavailable; nothing given up",
        retryInMs: 2_000,
        error: "kafka is unavailable (breaker open)",
      }),
    ]);
  });

  test("logs the breaker's cause when it has one", async () => {
    const { lines, log } = capture();
    await runScript({ steps: [failed(new BreakerOpenError("kafka", 0, new Error("no broker answers")))], sleeps: 1, log });
    expect(lines.map((line) => line.error)).toEqual(["no broker answers"]);
  });
});
