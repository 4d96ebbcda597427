/**
 * The timing of a source that polls (a Find, a claim): the next poll comes one interval after the
 * start of the previous one, so that an event waits at most one interval however long the cycles
 * take (after a longer cycle, at once); at once when the previous poll said more is waiting; and
 * at once when the source is woken (a database notification), the interval staying the safety net.
 */
import { sleep as defaultSleep } from "./sleep.ts";

export interface Poller {
  /** Resolves when the next poll is due (or `signal` aborts). */
  ready(signal: AbortSignal): Promise<void>;
  /** Call as a poll starts; `more` (once it is known) says whether to poll again at once. */
  polling(): { done(more: boolean): void };
  /** Makes a waiting `ready` resolve now, and the next one at once. */
  wake(): void;
}

export function createPoller(params: { intervalMs: number; now?: () => number; sleep?: (ms: number, signal: AbortSignal) => Promise<void> }): Poller {
  const { now = Date.now, sleep = defaultSleep } = params;
  let lastStart = Number.NEGATIVE_INFINITY;
  let more = false;
  let woken = false;
  let interrupt: AbortController | undefined;
  return {
    async ready(signal) {
      if (more || woken) {
        woken = false;
        return;
      }
      // Never more than the interval: the clock may step back.
      const wait = Math.min(params.intervalMs, lastStart + params.intervalMs - now());
      if (wait <= 0) return;
      interrupt = new AbortController();
      await sleep(wait, AbortSignal.any([signal, interrupt.signal]));
      interrupt = undefined;
      woken = false;
    },
    polling() {
      lastStart = now();
      more = false;
      return {
        done(hasMore) {
          more = hasMore;
        },
      };
    },
    wake() {
      woken = true;
      interrupt?.abort();
    },
  };
}
