/** One clock for every timestamp the benchmark compares: epoch milliseconds with sub-ms precision. */

/** Epoch ms as a float: `Date.now()` resolution is too coarse for per-row latencies of a few ms. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Seconds since `startMs` (a {@link wallClockMs} value). */
export function secondsSince(startMs: number): number {
  return (wallClockMs() - startMs) / 1000;
}
