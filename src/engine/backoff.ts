/**
 * The wait before attempt `failures + 1`, from a table of waits whose last entry repeats
 * (`[10_000, 20_000, 40_000, 60_000]` gives 10, 20, 40, 60, 60, … s). `jitter` in [0, 1) spreads
 * instances that failed together by up to 10 % so they do not retry in step.
 */
export function backoffDelay(waits: readonly number[], failures: number, jitter = 0): number {
  if (waits.length === 0 || failures <= 0) return 0;
  const base = waits[Math.min(failures, waits.length) - 1] as number;
  return Math.round(base * (1 + 0.1 * jitter));
}
