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
  /** A call to `dependency` failed because it could not be reached. */
  failed(dependency: D, error: unknown): void;
  /** A call to `dependency` succeeded. */
  succeeded(dependency: D): void;
  /** The dependencies in an outage now. */
  current(): Readonly<Partial<Record<D, Outage>>>;
}

export function createOutages<D extends string>(params: {
  log: Logger;
  /** Counts every failure (the errors metric). */
  count: (dependency: D) => void;
  now?: () => Date;
}): Outages<D> {
  const { log, now = () => new Date() } = params;
  const outages = new Map<D, Outage>();
  return {
    failed(dependency, error) {
      params.count(dependency);
      const known = outages.get(dependency);
      const text = describeError(error);
      if (!known) log.error(`${dependency} unreachable`, { dependency, error: text });
      outages.set(dependency, { since: known?.since ?? now().toISOString(), error: text, failures: (known?.failures ?? 0) + 1 });
    },
    succeeded(dependency) {
      const known = outages.get(dependency);
      if (!known) return;
      outages.delete(dependency);
      log.info(`${dependency} reachable again`, { dependency, since: known.since, failures: known.failures });
    },
    current: () => Object.fromEntries(outages) as Partial<Record<D, Outage>>,
  };
}
