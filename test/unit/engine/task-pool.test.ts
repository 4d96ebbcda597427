import { describe, expect, test } from "bun:test";
import { createTaskPool } from "../../../src/engine/task-pool.ts";
import { deferred, flush } from "./fakes.ts";

describe("createTaskPool", () => {
  test("never runs more than its concurrency at once, and starts tasks in the order added", async () => {
    const pool = createTaskPool(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 10 }, () => deferred());
    for (const [index, gate] of gates.entries()) {
      pool.add(async () => {
        started.push(index);
        running++;
        most = Math.max(most, running);
        await gate.promise;
        running--;
      });
    }
    await flush();
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) {
      gate.resolve();
      await flush();
      expect(running).toBeLessThanOrEqual(3);
    }
    await pool.drain();
    expect(most).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("drain waits for every task added so far", async () => {
    const pool = createTaskPool(2);
    const done: number[] = [];
    for (let index = 0; index < 5; index++) {
      pool.add(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5 * (5 - index)));
        done.push(index);
      });
    }
    await pool.drain();
    expect(done.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  test("drain resolves at once when nothing was added", async () => {
    await createTaskPool(1).drain();
  });

  test("keeps running the other tasks when one fails", async () => {
    const pool = createTaskPool(1);
    const done: string[] = [];
    pool.add(async () => {
      throw new Error("mark failed");
    });
    pool.add(async () => void done.push("after"));
    pool.add(() => Promise.reject(new Error("again")));
    pool.add(async () => void done.push("last"));
    await pool.drain();
    expect(done).toEqual(["after", "last"]);
  });

  test("can be drained again after more work is added", async () => {
    const pool = createTaskPool(4);
    const done: number[] = [];
    pool.add(async () => void done.push(1));
    await pool.drain();
    pool.add(async () => void done.push(2));
    await pool.drain();
    expect(done).toEqual([1, 2]);
  });

  test("waitBelow resolves once at most that many tasks wait or run, and at once when already so", async () => {
    const pool = createTaskPool(2);
    const gates = Array.from({ length: 5 }, () => deferred());
    for (const gate of gates) pool.add(() => gate.promise);
    let belowThree = false;
    const waiting = pool.waitBelow(3).then(() => (belowThree = true));
    await flush();
    expect(belowThree).toBe(false);
    gates[0]!.resolve();
    await flush();
    expect(belowThree).toBe(false);
    gates[1]!.resolve();
    await waiting;
    expect(belowThree).toBe(true);
    let immediate = false;
    await pool.waitBelow(5).then(() => (immediate = true));
    expect(immediate).toBe(true);
    for (const gate of gates) gate.resolve();
    await pool.drain();
  });
});
