import { describe, expect, test } from "bun:test";
import { createPoller } from "../../../src/engine/polling.ts";

const INTERVAL = 5_000;
const NO_SIGNAL = new AbortController().signal;

/** A poller on a fake clock whose sleep records each wait and moves the clock by it. */
function setup() {
  let clock = 1_000_000;
  const waits: number[] = [];
  const poller = createPoller({
    intervalMs: INTERVAL,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
  });
  const advance = (ms: number) => {
    clock += ms;
  };
  /** One poll that takes `ms` and says whether more waits. */
  const poll = async (ms = 0, more = false) => {
    await poller.ready(NO_SIGNAL);
    const polling = poller.polling();
    advance(ms);
    polling.done(more);
  };
  return { poller, waits, advance, poll };
}

/** A sleep that only ends when its signal aborts, to see what interrupts a wait. */
function endless() {
  const started: number[] = [];
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      started.push(ms);
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  return { started, sleep };
}

describe("createPoller", () => {
  test("is ready at once for the first poll", async () => {
    const { poller, waits } = setup();
    await poller.ready(NO_SIGNAL);
    expect(waits).toEqual([]);
  });

  test("waits the interval after each poll that finished at once", async () => {
    const { waits, poll } = setup();
    await poll();
    await poll();
    await poll();
    await poll();
    expect(waits).toEqual([INTERVAL, INTERVAL, INTERVAL]);
  });

  test("counts the interval from the start of the previous poll, so the poll's own time is not added to it", async () => {
    const { waits, poll } = setup();
    await poll(1_200);
    await poll(4_999);
    await poll(0);
    await poll();
    expect(waits).toEqual([INTERVAL - 1_200, 1, INTERVAL]);
  });

  test("counts what came after the poll (its settles, a backoff) against the interval too", async () => {
    const { poller, waits, advance, poll } = setup();
    await poll();
    advance(3_000);
    await poller.ready(NO_SIGNAL);
    expect(waits).toEqual([2_000]);
  });

  test("is ready at once after a poll longer than the interval", async () => {
    const { waits, poll } = setup();
    await poll(INTERVAL + 3_000);
    await poll();
    expect(waits).toEqual([]);
  });

  test("never waits longer than the interval, even when the clock stepped back during the poll", async () => {
    const { waits, poll } = setup();
    await poll(-60_000);
    await poll();
    expect(waits).toEqual([INTERVAL]);
  });

  test("polls again at once after a poll that said more is waiting", async () => {
    const { waits, poll } = setup();
    await poll(0, true);
    await poll(0, true);
    await poll(0, false);
    await poll();
    expect(waits).toEqual([INTERVAL]);
  });

  test("takes a poll that has not said yet whether more waits as one with no more", async () => {
    const { poller, waits, poll } = setup();
    await poll(0, true);
    await poller.ready(NO_SIGNAL);
    poller.polling();
    await poller.ready(NO_SIGNAL);
    expect(waits).toEqual([INTERVAL]);
  });

  test("ends a wait when woken (a notification came), the interval staying the safety net", async () => {
    const { started, sleep } = endless();
    const poller = createPoller({ intervalMs: INTERVAL, now: () => 0, sleep });
    poller.polling().done(false);
    let ready = false;
    const waiting = poller.ready(NO_SIGNAL).then(() => (ready = true));
    await Promise.resolve();
    expect(started).toEqual([INTERVAL]);
    expect(ready).toBe(false);
    poller.wake();
    await waiting;
    // The wake was spent on that wait: the next poll waits its interval again.
    poller.polling().done(false);
    const next = poller.ready(NO_SIGNAL);
    await Promise.resolve();
    expect(started).toEqual([INTERVAL, INTERVAL]);
    poller.wake();
    await next;
  });

  test("is ready at once after a wake that came between waits, once", async () => {
    const { poller, waits, poll } = setup();
    await poll();
    poller.wake();
    await poller.ready(NO_SIGNAL);
    expect(waits).toEqual([]);
    await poller.ready(NO_SIGNAL);
    expect(waits).toEqual([INTERVAL]);
  });

  test("ends a wait at once when the stop signal aborts", async () => {
    const { started, sleep } = endless();
    const poller = createPoller({ intervalMs: INTERVAL, now: () => 0, sleep });
    poller.polling().done(false);
    const controller = new AbortController();
    const waiting = poller.ready(controller.signal);
    await Promise.resolve();
    expect(started).toEqual([INTERVAL]);
    controller.abort();
    await waiting;
  });

  test("waits with the real sleep by default, and a stop ends it", async () => {
    const poller = createPoller({ intervalMs: 60_000 });
    poller.polling().done(false);
    const controller = new AbortController();
    const waiting = poller.ready(controller.signal);
    controller.abort();
    await waiting;
  });
});
