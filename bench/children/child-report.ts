/**
 * What a benchmark child process reports about itself on its last stdout line: the timed section's
 * wall and CPU seconds and the process's peak resident memory (VmHWM), as JSON.
 */
import { readFileSync } from "node:fs";

export interface ChildReport {
  readonly events: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
  readonly [extra: string]: number;
}

/** Measures `section`, then prints the report as the last line. */
export async function reportSection(section: () => Promise<{ events: number; [extra: string]: number }>): Promise<void> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await section();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const status = readFileSync("/proc/self/status", "utf8");
  const peakRssMiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
  const report: ChildReport = { ...result, seconds, cpuSeconds: (used.user + used.system) / 1e6, peakRssMiB };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** A required environment variable. */
export function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
}
