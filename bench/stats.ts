/** Summaries of repeated measurements and of per-row latencies. */

/** The value at quantile `q` (0..1) of `values`, nearest-rank; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** p50, p99 and max (ms); Infinity stands for a row that never got there, and sorts last. */
export function latencySummary(values: readonly number[]): { p50: number; p99: number; max: number; count: number } {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => (sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number));
  return { p50: at(0.5), p99: at(0.99), max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number), count: sorted.length };
}

/** Median and range of repetitions. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Median and range; NaN values (not measured) are left out, Infinity (never happened) is kept. */
export function spread(values: readonly number[]): Spread {
  const finite = values.filter((value) => !Number.isNaN(value));
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, n: finite.length };
}

/** Per-field {@link spread} of a list of result objects with numeric fields. */
export function spreadOf<T extends Record<string, number>>(runs: readonly T[]): Record<keyof T, Spread> {
  const keys = Object.keys(runs[0] ?? {}) as (keyof T)[];
  return Object.fromEntries(keys.map((key) => [key, spread(runs.map((run) => run[key] as number))])) as Record<keyof T, Spread>;
}
