/**
 * Runs a pipeline only while this instance owns it: take the lease (SET NX with expiry), renew it
 * every third of its TTL, stop the pipeline when it is lost or cannot be renewed before it
 * expires, and release it at once on a graceful stop so another instance takes over without
 * waiting for the expiry.
 */
import type { Logger } from "../observability/logger.ts";
import { LeaseLostError } from "./errors.ts";
import type { Fence } from "./fence.ts";
import type { LeaseStore } from "./ports.ts";
import { sleep } from "./sleep.ts";

export interface OwnershipParams {
  readonly name: string;
  readonly leases: LeaseStore;
  readonly ttlMs: number;
  /** Who this instance is, for logs; each acquisition gets its own token. */
  readonly instanceId: string;
  /** How often a standby instance tries to take the lease. */
  readonly acquireEveryMs: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly onOwnership: (owned: boolean) => void;
  /**
   * Told how each call to the lease store went, so that an outage of it is logged once when it
   * begins and once when it ends, and counted, instead of leaving the pipeline silently on standby.
   */
  readonly storeHealth: { failed(error: unknown): void; succeeded(): void };
  /** The pipeline; it must stop when `signal` aborts. */
  readonly run: (signal: AbortSignal, fence: Fence) => Promise<void>;
  readonly now?: () => number;
}

export async function runWhileOwned(params: OwnershipParams): Promise<void> {
  const { name, leases, ttlMs, signal, log, now = Date.now } = params;
  // Stop acting a little before the lease expires in Redis, to allow for clock drift and latency.
  const margin = Math.min(1000, Math.floor(ttlMs / 5));
  /** The call's result, or undefined when the store could not be reached; either is reported. */
  const observed = <T>(call: Promise<T>): Promise<T | undefined> =>
    call.then(
      (value) => {
        params.storeHealth.succeeded();
        return value;
      },
      (error) => {
        params.storeHealth.failed(error);
        return undefined;
      },
    );
  while (!signal.aborted) {
    const token = `${params.instanceId}:${crypto.randomUUID()}`;
    const acquired = (await observed(leases.acquire(name, token, ttlMs))) === true;
    if (!acquired) {
      await sleep(params.acquireEveryMs, signal);
      continue;
    }
    let validUntil = now() + ttlMs - margin;
    let lost = false;
    const owned = new AbortController();
    const stopOwned = () => owned.abort(signal.reason);
    signal.addEventListener("abort", stopOwned, { once: true });
    // A stop that arrived while the lease was being taken fired before this listener existed.
    if (signal.aborted) stopOwned();
    const lose = (why: string) => {
      if (lost) return;
      lost = true;
      log.warn("pipeline lease lost; stopping the pipeline here", { why });
      owned.abort(new LeaseLostError(name));
    };
    const renewer = setInterval(
      async () => {
        const renewed = await observed(leases.renew(name, token, ttlMs));
        if (renewed === true) validUntil = now() + ttlMs - margin;
        else if (renewed === false) lose("another instance holds it");
        else if (now() >= validUntil) lose("could not renew it before it expired (Redis unreachable)");
      },
      Math.max(50, Math.floor(ttlMs / 3)),
    );
    const fence: Fence = {
      isValid: () => !lost && now() < validUntil,
      assertHeld: async () => {
        if (now() >= validUntil || !(await leases.holds(name, token))) {
          lose("fencing check failed");
          throw new LeaseLostError(name);
        }
      },
    };

    log.info("pipeline lease taken; this instance runs the pipeline", { instance: params.instanceId });
    params.onOwnership(true);
    try {
      await params.run(owned.signal, fence);
    } finally {
      clearInterval(renewer);
      signal.removeEventListener("abort", stopOwned);
      params.onOwnership(false);
    }
    if (signal.aborted) {
      await leases.release(name, token).catch((error) => log.warn("could not release the lease; it expires by itself", { error }));
      log.info("pipeline lease released");
      return;
    }
  }
}
