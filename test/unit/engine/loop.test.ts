import { describe, expect, test } from "bun:test";
import { BackendCallError, KafkaTopicError, KafkaUnavailableError } from "../../../src/errors.ts";
import { createLogger, type Logger, silentLogger } from "../../../src/observability/logger.ts";
import type { CycleOutcome } from "../../../src/relay/context.ts";
import { runPollLoop } from "../../../src/relay/poll-loop.ts";
import { RecordingMetrics } from "./fakes.ts";

const INTERVAL = 5_000;
const FIND_BACKOFF = [10_000, 20_000, 40_000, 60_000];
const done = (more = false): CycleOutcome => ({ status: "done", fetched: 1, more });
const failed = (error: unknown = new BackendCallError("for-hobom-backend", "Find", "UNAVAILABLE", "", { retriable: true })): CycleOutcome => ({
  status: "failed",
  error,
});

/**
 * Runs the loop over scripted outcomes with a fake clock and sleep; stops (aborts) after
 * `sleeps` waits. Returns the timeline of cycles and waits.
 */
async function runScript(options: {
  outcomes: (CycleOutcome | (() => Promise<CycleOutcome>) | Error)[];
  sleeps: number;
  gate?: (now: number) => number;
  /** Receives a function that moves the fake clock, for cycles that take time. */
  onClock?: (advance: (ms: number) => void) => void;
  log?: Logger;
}) {
  const controller = new AbortController();
  const timeline: string[] = [];
  const metrics = new RecordingMetrics();
  let clock = 1_000_000;
  let cycles = 0;
  options.onClock?.((ms) => (clock += ms));
  await runPollLoop({
    name: "message",
    pollIntervalMs: INTERVAL,
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
    cycle: async () => {
      timeline.push("cycle");
      const next = options.outcomes[cycles++] ?? done();
      if (next instanceof Error) throw next;
      return typeof next === "function" ? next() : next;
    },
  });
  return { timeline, waits: timeline.filter((entry) => entry.startsWith("wait")).map((entry) => Number(entry.slice(5))), metrics, now: () => clock };
}

describe("runPollLoop", () => {
  test("waits the poll interval after each cycle that finished at once", async () => {
    const { timeline } = await runScript({ outcomes: [done(), done(), done()], sleeps: 3 });
    expect(timeline).toEqual(["cycle", "wait:5000", "cycle", "wait:5000", "cycle", "wait:5000"]);
  });

  test("counts the interval from the start of the previous cycle, so the cycle's own time is not added to it", async () => {
    let advance: (ms: number) => void = () => {};
    const taking = (ms: number) => async () => {
      advance(ms);
      return done();
    };
    const { waits } = await runScript({ outcomes: [taking(1_200), taking(4_999), taking(0)], sleeps: 3, onClock: (move) => (advance = move) });
    expect(waits).toEqual([INTERVAL - 1_200, 1, INTERVAL]);
  });

  test("starts the next Find at once after a cycle longer than the interval", async () => {
    let advance: (ms: number) => void = () => {};
    const slow = async () => {
      advance(INTERVAL + 3_000);
      return done();
    };
    const { waits } = await runScript({ outcomes: [slow], sleeps: 1, onClock: (move) => (advance = move) });
    expect(waits).toEqual([0]);
  });

  test("never waits longer than the interval, even when the clock stepped back during the cycle", async () => {
    let advance: (ms: number) => void = () => {};
    const stepBack = async () => {
      advance(-60_000);
      return done();
    };
    const { waits } = await runScript({ outcomes: [stepBack], sleeps: 1, onClock: (move) => (advance = move) });
    expect(waits).toEqual([INTERVAL]);
  });

  test("polls again at once after a full page", async () => {
    const { waits } = await runScript({ outcomes: [done(true), done(true), done(false)], sleeps: 3 });
    expect(waits).toEqual([0, 0, INTERVAL]);
  });

  test("backs off 10, 20, 40, 60 s after consecutive failures, capped, then returns to the interval", async () => {
    const outcomes = [failed(), failed(), failed(), failed(), failed(), failed(), done(), failed()];
    const { waits } = await runScript({ outcomes, sleeps: outcomes.length });
    expect(waits).toEqual([10_000, 20_000, 40_000, 60_000, 60_000, 60_000, INTERVAL, 10_000]);
  });

  test("counts a cycle that threw as a failure", async () => {
    const { waits, metrics } = await runScript({ outcomes: [new Error("bug"), new Error("bug")], sleeps: 2 });
    expect(waits).toEqual([10_000, 20_000]);
    expect(metrics.cycles).toEqual([
      { pipeline: "message", outcome: "failed" },
      { pipeline: "message", outcome: "failed" },
    ]);
  });

  test("waits until the breaker's retryAt when Kafka is unavailable, without growing the failure backoff", async () => {
    const unavailableAt = (retryInMs: number) => () => Promise.resolve(failed(new KafkaUnavailableError(1_000_000 + retryInMs)));
    const { waits } = await runScript({ outcomes: [unavailableAt(7_000), failed(), done()], sleeps: 3 });
    expect(waits).toEqual([7_000, 10_000, INTERVAL]);
  });

  test("does not wait for a retryAt already past", async () => {
    const { waits } = await runScript({ outcomes: [failed(new KafkaUnavailableError(0))], sleeps: 1 });
    expect(waits).toEqual([0]);
  });

  test("starts no cycle before the gate opens", async () => {
    const gateUntil = 1_000_000 + 3_000;
    const { timeline } = await runScript({ outcomes: [done()], sleeps: 2, gate: (now) => (now < gateUntil ? gateUntil : 0) });
    expect(timeline).toEqual(["wait:3000", "cycle", "wait:5000"]);
  });

  test("records each cycle's outcome in the metrics", async () => {
    const { metrics } = await runScript({ outcomes: [done(), failed()], sleeps: 2 });
    expect(metrics.cycles.map((cycle) => cycle.outcome)).toEqual(["done", "failed"]);
  });

  test("lets the cycle in flight finish when stopped and starts no other", async () => {
    const controller = new AbortController();
    let cycles = 0;
    let finished = 0;
    const sleeps: number[] = [];
    await runPollLoop({
      name: "message",
      pollIntervalMs: INTERVAL,
      failureBackoffMs: FIND_BACKOFF,
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      sleep: async (ms, signal) => {
        sleeps.push(ms);
        expect(signal.aborted).toBe(true);
      },
      cycle: async (signal) => {
        cycles++;
        expect(signal).toBe(controller.signal);
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 5));
        finished++;
        return done();
      },
    });
    expect(cycles).toBe(1);
    expect(finished).toBe(1);
  });

  test("starts no cycle when stopped during a wait", async () => {
    const controller = new AbortController();
    let cycles = 0;
    const loop = runPollLoop({
      name: "message",
      pollIntervalMs: 60_000,
      failureBackoffMs: FIND_BACKOFF,
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      cycle: async () => {
        cycles++;
        return done();
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await loop;
    expect(cycles).toBe(1);
  });

  test("never starts a cycle once the signal aborted before the loop began", async () => {
    const controller = new AbortController();
    controller.abort();
    let cycles = 0;
    await runPollLoop({
      name: "message",
      pollIntervalMs: INTERVAL,
      failureBackoffMs: FIND_BACKOFF,
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      sleep: async () => {},
      cycle: async () => {
        cycles++;
        return done();
      },
    });
    expect(cycles).toBe(0);
  });

  test("never overlaps cycles, even with no wait between them", async () => {
    let inFlight = 0;
    let most = 0;
    const slow = () => async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return done(true);
    };
    const { waits } = await runScript({ outcomes: [slow(), slow(), slow(), slow()], sleeps: 4 });
    expect(waits).toEqual([0, 0, 0, 0]);
    expect(most).toBe(1);
  });
});

describe("runPollLoop metrics", () => {
  test("counts a cycle that a dependency ended as an error of that dependency", async () => {
    const { metrics } = await runScript({
      outcomes: [failed(), failed(new KafkaUnavailableError(0)), failed(new TypeError("a bug, not a dependency")), done()],
      sleeps: 4,
    });
    expect(metrics.dependencyErrors).toEqual(["grpc", "kafka"]);
  });
});

describe("runPollLoop and the marks of a cycle", () => {
  test("waits the interval while the previous cycle's marks finish, and starts no Find before they have", async () => {
    const controller = new AbortController();
    const timeline: string[] = [];
    let release!: () => void;
    const marks = new Promise<void>((resolve) => {
      release = resolve;
    });
    let cycles = 0;
    const loop = runPollLoop({
      name: "message",
      pollIntervalMs: 10,
      failureBackoffMs: [10],
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      // A clock that stands still: every cycle takes no time, so every wait is the whole interval.
      now: () => 0,
      sleep: async (ms) => {
        timeline.push(`wait:${ms}`);
        await Bun.sleep(ms);
      },
      cycle: async () => {
        cycles++;
        timeline.push(`cycle ${cycles}`);
        if (cycles === 2) controller.abort();
        return { status: "done", fetched: 1, more: false, marks: cycles === 1 ? marks.then(() => timeline.push("marks 1 settled")) : undefined };
      },
    });
    await Bun.sleep(50);
    expect(timeline).toEqual(["cycle 1", "wait:10"]);
    release();
    await loop;
    expect(timeline).toEqual(["cycle 1", "wait:10", "marks 1 settled", "cycle 2", "wait:10"]);
  });

  test("a stop waits for the marks of the cycle in flight", async () => {
    const controller = new AbortController();
    let settledMarks = false;
    const loop = runPollLoop({
      name: "message",
      pollIntervalMs: 10_000,
      failureBackoffMs: [10],
      signal: controller.signal,
      log: silentLogger,
      metrics: new RecordingMetrics(),
      cycle: async () => {
        controller.abort();
        return { status: "done", fetched: 1, more: false, marks: Bun.sleep(30).then(() => (settledMarks = true)) };
      },
    });
    await loop;
    expect(settledMarks).toBe(true);
  });
});

describe("runPollLoop's log", () => {
  function capture() {
    const lines: { level: string; msg: string; error?: string }[] = [];
    return { lines, log: createLogger({ level: "info", write: (line) => void lines.push(JSON.parse(line)) }) };
  }

  test("logs a failure that repeats every cycle once, again when it changes, and the recovery", async () => {
    const { lines, log } = capture();
    const missing = new KafkaTopicError("hobom.messages", "missing");
    const hang = new BackendCallError("for-hobom-backend", "Find", "DEADLINE_EXCEEDED", "", { retriable: true });
    await runScript({ outcomes: [failed(missing), failed(missing), failed(missing), failed(hang), done()], sleeps: 5, log });
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ["warn", "cycle failed"],
      ["warn", "cycle failed"],
      ["info", "pipeline recovered"],
    ]);
    expect(lines[0]?.error).toContain("topic hobom.messages does not exist");
    expect(lines[1]?.error).toContain("DEADLINE_EXCEEDED");
  });

  test("never logs an undefined error when Kafka is unavailable without a cause", async () => {
    const { lines, log } = capture();
    await runScript({ outcomes: [failed(new KafkaUnavailableError(0))], sleeps: 1, log });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.error).toBe("kafka is unavailable (breaker open)");
  });
});
