/**
 * CPU time and memory of another process, from Linux /proc: utime + stime of
 * /proc/<pid>/stat (every thread, in clock ticks), VmHWM (peak resident set since the process
 * started) and VmRSS of /proc/<pid>/status, sampled so that a peak is known even when the process
 * is gone before it can be read.
 */
import { readFileSync } from "node:fs";

/** Clock ticks per second (`getconf CLK_TCK`); 100 on every Linux the relay targets. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process used so far; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of the file are utime and stime; after the name, field 3 is index 0.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** VmHWM and VmRSS in MiB; NaN once the process is gone. */
export function memoryMiB(pid: number): { peak: number; current: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { peak: kib("VmHWM") / 1024, current: kib("VmRSS") / 1024 };
  } catch {
    return { peak: Number.NaN, current: Number.NaN };
  }
}

/** CPU and peak memory over a window of a process's life. */
export interface UsageWindow {
  /** CPU seconds used inside the window. */
  readonly cpuSeconds: number;
  /** Wall seconds of the window. */
  readonly wallSeconds: number;
  /** Highest VmHWM seen (peak since process start, so it includes the start-up). */
  readonly peakRssMiB: number;
  /** Highest VmRSS sampled inside the window. */
  readonly sampledPeakRssMiB: number;
}

/** Watches a process from now on; `stop()` ends the window (call it before the process exits). */
export function watchUsage(pid: number, sampleEveryMs = 100): { stop(): UsageWindow } {
  const startedAt = performance.now();
  const startCpu = cpuSeconds(pid);
  let lastCpu = startCpu;
  let peak = 0;
  let sampledPeak = 0;
  const sample = () => {
    const memory = memoryMiB(pid);
    if (memory.peak > peak) peak = memory.peak;
    if (memory.current > sampledPeak) sampledPeak = memory.current;
    const cpu = cpuSeconds(pid);
    if (!Number.isNaN(cpu)) lastCpu = cpu;
  };
  sample();
  const timer = setInterval(sample, sampleEveryMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return {
        cpuSeconds: lastCpu - startCpu,
        wallSeconds: (performance.now() - startedAt) / 1000,
        peakRssMiB: peak,
        sampledPeakRssMiB: sampledPeak,
      };
    },
  };
}
