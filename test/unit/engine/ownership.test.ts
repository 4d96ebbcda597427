import { describe, expect, test } from "bun:test";
import { LeaseLostError } from "../../../src/engine/errors.ts";
import type { Fence } from "../../../src/engine/fence.ts";
import { runWhileOwned } from "../../../src/engine/ownership.ts";
import type { LeaseStore } from "../../../src/engine/ports.ts";
import { silentLogger } from "../../../src/observability/logger.ts";

/** Leases with real expiry, in memory; `down` makes every call fail like an unreachable Redis. */
class MemoryLeases implements LeaseStore {
  readonly holders = new Map<string, { token: string; until: number }>();
  readonly released: string[] = [];
  down = false;

  #check() {
    if (this.down) throw new Error("redis unreachable");
  }
  #holder(name: string) {
    const holder = this.holders.get(name);
    return holder && holder.until > Date.now() ? holder : undefined;
  }
  async acquire(name: string, token: string, ttlMs: number) {
    this.#check();
    if (this.#holder(name)) return false;
    this.holders.set(name, { token, until: Date.now() + ttlMs });
    return true;
  }
  async renew(name: string, token: string, ttlMs: number) {
    this.#check();
    if (this.#holder(name)?.token !== token) return false;
    this.holders.set(name, { token, until: Date.now() + ttlMs });
    return true;
  }
  async holds(name: string, token: string) {
    this.#check();
    return this.#holder(name)?.token === token;
  }
  async release(name: string, token: string) {
    this.#check();
    if (this.#holder(name)?.token === token) this.holders.delete(name);
    this.released.push(token);
  }
  steal(name: string) {
    this.holders.set(name, { token: "thief", until: Date.now() + 60_000 });
  }
}

function start(leases: LeaseStore, options: { ttlMs?: number; instanceId?: string } = {}) {
  const stop = new AbortController();
  const events: string[] = [];
  const storeFailures: unknown[] = [];
  let storeSuccesses = 0;
  let fence: Fence | undefined;
  let runSignal: AbortSignal | undefined;
  let runs = 0;
  const done = runWhileOwned({
    name: "message",
    leases,
    ttlMs: options.ttlMs ?? 300,
    instanceId: options.instanceId ?? "a",
    acquireEveryMs: 20,
    signal: stop.signal,
    log: silentLogger,
    onOwnership: (owned) => events.push(owned ? "owned" : "standby"),
    storeHealth: { failed: (error) => storeFailures.push(error), succeeded: () => storeSuccesses++ },
    run: (signal, given) => {
      runs++;
      fence = given;
      runSignal = signal;
      return new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    },
  });
  return { stop, done, events, storeFailures, storeSuccesses: () => storeSuccesses, fence: () => fence, runSignal: () => runSignal, runs: () => runs };
}

async function until(condition: () => boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(5);
  }
}

describe("runWhileOwned", () => {
  test("runs the pipeline while it holds the lease and releases the lease at once on a stop", async () => {
    const leases = new MemoryLeases();
    const owner = start(leases);
    await until(() => owner.runs() === 1);
    expect(owner.events).toEqual(["owned"]);
    expect(owner.fence()?.isValid()).toBe(true);
    await owner.fence()?.assertHeld();

    owner.stop.abort();
    await owner.done;
    expect(owner.events).toEqual(["owned", "standby"]);
    expect(leases.holders.has("message")).toBe(false);
    expect(leases.released).toHaveLength(1);
  });

  test("keeps the lease past its TTL by renewing it", async () => {
    const leases = new MemoryLeases();
    const owner = start(leases, { ttlMs: 150 });
    await until(() => owner.runs() === 1);
    await Bun.sleep(450);
    expect(owner.runSignal()?.aborted).toBe(false);
    expect(owner.fence()?.isValid()).toBe(true);
    owner.stop.abort();
    await owner.done;
  });

  test("a second instance stands by, and takes over as soon as the first stops gracefully", async () => {
    const leases = new MemoryLeases();
    const first = start(leases, { instanceId: "a", ttlMs: 10_000 });
    await until(() => first.runs() === 1);
    const second = start(leases, { instanceId: "b", ttlMs: 10_000 });
    await Bun.sleep(100);
    expect(second.runs()).toBe(0);
    expect(second.events).toEqual([]);

    first.stop.abort();
    await first.done;
    // Well under the 10 s TTL: the release hands over without waiting for the expiry.
    await until(() => second.runs() === 1, 500);
    second.stop.abort();
    await second.done;
  });

  test("a standby instance takes over within the TTL when the owner dies without releasing", async () => {
    const leases = new MemoryLeases();
    leases.holders.set("message", { token: "dead-owner", until: Date.now() + 200 });
    const standby = start(leases, { ttlMs: 200 });
    await Bun.sleep(100);
    expect(standby.runs()).toBe(0);
    await until(() => standby.runs() === 1, 1000);
    standby.stop.abort();
    await standby.done;
  });

  test("stops the pipeline when another instance holds the lease, and the fence then refuses", async () => {
    const leases = new MemoryLeases();
    const owner = start(leases, { ttlMs: 150 });
    await until(() => owner.runs() === 1);
    leases.steal("message");
    await until(() => owner.runSignal()?.aborted === true);
    expect(owner.runSignal()?.reason).toBeInstanceOf(LeaseLostError);
    expect(owner.fence()?.isValid()).toBe(false);
    expect(
      await owner
        .fence()
        ?.assertHeld()
        .then(
          () => "held",
          (error) => error,
        ),
    ).toBeInstanceOf(LeaseLostError);
    expect(owner.events).toEqual(["owned", "standby"]);
    owner.stop.abort();
    await owner.done;
  });

  test("with Redis unreachable, stops the pipeline once the lease it could not renew has expired", async () => {
    const leases = new MemoryLeases();
    const owner = start(leases, { ttlMs: 300 });
    await until(() => owner.runs() === 1);
    leases.down = true;
    const downAt = Date.now();
    await until(() => owner.runSignal()?.aborted === true, 2000);
    expect(Date.now() - downAt).toBeLessThanOrEqual(400);
    expect(owner.fence()?.isValid()).toBe(false);
    // While Redis is down nobody can prove ownership, so nobody runs the pipeline.
    await Bun.sleep(100);
    expect(owner.runs()).toBe(1);
    // Each failed renewal and lease attempt is reported, for the outage log and the errors metric.
    expect(owner.storeFailures.length).toBeGreaterThanOrEqual(2);
    expect(owner.storeFailures.every((error) => (error as Error).message === "redis unreachable")).toBe(true);
    const successesBefore = owner.storeSuccesses();
    leases.down = false;
    await until(() => owner.runs() === 2, 1000);
    expect(owner.storeSuccesses()).toBeGreaterThan(successesBefore);
    owner.stop.abort();
    await owner.done;
  });

  test("the fence's Redis check fails as soon as the lease is gone, even before the next renewal", async () => {
    const leases = new MemoryLeases();
    const owner = start(leases, { ttlMs: 10_000 });
    await until(() => owner.runs() === 1);
    leases.steal("message");
    expect(owner.fence()?.isValid()).toBe(true);
    await expect(owner.fence()?.assertHeld() ?? Promise.resolve()).rejects.toBeInstanceOf(LeaseLostError);
    expect(owner.fence()?.isValid()).toBe(false);
    owner.stop.abort();
    await owner.done;
  });
});
