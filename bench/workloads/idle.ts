/**
 * Idle: the relay with all seven pipelines configured and no rows anywhere, polling at its
 * default interval; after it settles, its CPU over `seconds` and its resident memory.
 */
import { startBenchBackends } from "../doubles.ts";
import { startWindow } from "../measure-window.ts";
import { memoryMiB } from "../proc-usage.ts";
import { startBenchRelay } from "../relay-runner.ts";
import type { BenchTestbed } from "../testbed.ts";

export interface IdleResult {
  readonly seconds: number;
  /** Percent of one core. */
  readonly cpuPercent: number;
  readonly rssMiB: number;
  readonly peakRssMiB: number;
  readonly warnings: readonly string[];
}

const SETTLE_MS = 3000;

export async function idle(testbed: BenchTestbed, options: { seconds: number }): Promise<IdleResult> {
  const backends = await startBenchBackends({ space: true, angel: true, llm: true });
  try {
    const run = await startBenchRelay(testbed, backends);
    try {
      await Bun.sleep(SETTLE_MS);
      const window = startWindow(run.pid);
      await Bun.sleep(options.seconds * 1000);
      const measured = window.stop();
      return {
        seconds: measured.wallSeconds,
        // CPU time comes in 10 ms ticks: 0.1 % steps over 10 s. Rounded to 0.01 % so that 10 ticks
        // in 10.001 s reads as the 1 % it is, not as 0.9999 % "below 1 %".
        cpuPercent: Math.round((measured.cpuSeconds / measured.wallSeconds) * 10_000) / 100,
        rssMiB: memoryMiB(run.pid).current,
        peakRssMiB: measured.peakRssMiB,
        warnings: run.warnings(),
      };
    } finally {
      await run.finish();
    }
  } finally {
    backends.stop();
  }
}
