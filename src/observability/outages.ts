/**
 * Which dependencies cannot be reached right now. Every failure is counted; the first failure
 * after a success is logged as the start of an outage and the first success after failures as its
 * end, so that a Redis that is down for an hour writes two log lines, not one per lease attempt.
 */
import { describeError } from "../engine/errors.ts";
import type { Logger } from "./logger.ts";

export interface Outage {
  /** When the outage began (ISO 8601). */
  readonly since: string;
  /** The latest error, one line. */
  readonly error: string;
  /** Failures since it began. */
  readonly failures: number;
}

export interface Outages<D extends string = string> {
  /**
   * A call to `dependency` failed because it could not be reached. `counted: false` for a health
   * probe's failure, which is no error of the relay's work (the errors metric counts those).
   */
  failed(dependency: D, error: unknown, options?: { counted?: boolean }): void;
  /** A call to `dependency` succeeded. */
  succeeded(dependency: D): void;
  /** The dependencies in an outage now. */
  current(): Readonly<Partial<Record<D, Outage>>>;
}

export function createOutages<D extends string>(params: {
  log: Logger;
  /** Counts every failure (the errors metric). */
  count: (dependency: D) => void;
  /** Told when a dependency goes down or comes back (the up gauge). */
  onChange?: (dependency: D, up: boolean) => void;
  now?: () => Date;
}): Outages<D> {
  const { log, now = () => new Date() } = params;
  const outages = new Map<D, Outage>();
  return {
    failed(dependency, error, options) {
      if (options?.counted !== false) params.count(dependency);
      const known = outages.get(dependency);
      const text = describeError(error);
      if (!known) {
        log.error(`${dependency} unreachable`, { dependency, error: text });
        params.onChange?.(dependency, false);
      }
      outages.set(dependency, { since: known?.since ?? now().toISOString(), error: text, failures: (known?.failures ?? 0) + 1 });
    },
    succeeded(dependency) {
      const known = outages.get(dependency);
      if (!known) return;
      outages.delete(dependency);
      log.info(`${dependency} reachable again`, { dependency, since: known.since, failures: known.failures });
      params.onChange?.(dependency, true);
    },
    current: () => Object.fromEntries(outages) as Partial<Record<D, Outage>>,
  };
}
