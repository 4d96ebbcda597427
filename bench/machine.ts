/**
 * The machine the numbers come from, and how busy all of it was during a measurement: on a
 * 2-core box the benchmark process (backend doubles, Kafka consumer), Kafka and Redis compete
 * with the relay, and other work on the machine shows up as "rest".
 */

import { readFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { sharedKafkaStatus } from "../test/infra/kafka-broker.ts";
import { cpuSeconds } from "./proc-usage.ts";

const TICKS_PER_SECOND = 100;

/** One line per fact: CPUs, CPU model, memory, kernel, Bun, load. */
export function describeMachine(): string[] {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? "unknown";
  const mhz = /^cpu MHz\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
  const kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  return [
    `nproc ${availableParallelism()}, CPU model "${model}"${mhz ? ` @ ${Number(mhz).toFixed(0)} MHz` : ""}`,
    `memory ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, Linux ${kernel}, Bun ${Bun.version}`,
    `load average at start ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
  ];
}

/** Busy and steal CPU seconds of the whole machine so far (all cores). */
function machineTicks(): { busy: number; steal: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  return {
    busy: ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND,
    steal: (steal ?? 0) / TICKS_PER_SECOND,
  };
}

/** Where the machine's CPU went during a window, in cores (CPU seconds per wall second). */
export interface MachineShare {
  readonly machine: number;
  readonly bench: number;
  readonly kafka: number;
  /** Machine minus relay, bench and Kafka: Redis, the OS, anything else running. */
  readonly rest: number;
  readonly steal: number;
}

let kafkaPid: number | undefined;

/** Finds the shared Kafka broker's pid once (for its CPU share). */
export async function locateKafka(): Promise<void> {
  kafkaPid = (await sharedKafkaStatus())?.pid;
}

/** Starts a window; `stop(relayCpuSeconds)` says how the machine's CPU was spent. */
export function watchMachine(): { stop(relayCpuSeconds: number): MachineShare } {
  const started = performance.now();
  const machine = machineTicks();
  const bench = cpuSeconds(process.pid);
  const kafka = kafkaPid === undefined ? Number.NaN : cpuSeconds(kafkaPid);
  return {
    stop(relayCpuSeconds) {
      const wall = (performance.now() - started) / 1000;
      const now = machineTicks();
      const benchCpu = cpuSeconds(process.pid) - bench;
      const kafkaCpu = kafkaPid === undefined ? 0 : cpuSeconds(kafkaPid) - kafka;
      const machineCpu = now.busy - machine.busy;
      return {
        machine: machineCpu / wall,
        bench: benchCpu / wall,
        kafka: kafkaCpu / wall,
        rest: (machineCpu - benchCpu - kafkaCpu - relayCpuSeconds) / wall,
        steal: (now.steal - machine.steal) / wall,
      };
    },
  };
}

/**
 * Waits (up to `maxWaitMs`) for half a second in which the rest of the machine, this process
 * aside, keeps fewer than `maxCores` cores busy: other work on a 2-core box skews every number.
 * Returns the background load last seen, in cores.
 */
export async function waitForQuietMachine(maxWaitMs = 30_000, maxCores = 0.5): Promise<number> {
  const deadline = performance.now() + maxWaitMs;
  for (;;) {
    const machine = machineTicks().busy;
    const own = cpuSeconds(process.pid);
    const started = performance.now();
    await Bun.sleep(500);
    const wall = (performance.now() - started) / 1000;
    const background = (machineTicks().busy - machine - (cpuSeconds(process.pid) - own)) / wall;
    if (background < maxCores || performance.now() > deadline) return background;
  }
}
