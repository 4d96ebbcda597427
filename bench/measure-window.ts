/**
 * One measurement window over the relay process and the machine around it: the relay's CPU
 * seconds and peak memory, and how many cores the bench process, Kafka and everything else used
 * meanwhile (they share the machine with the relay).
 */
import { watchMachine } from "./machine.ts";
import { watchUsage } from "./proc-usage.ts";

export interface WindowResult {
  readonly wallSeconds: number;
  /** Relay CPU seconds (user + system, all threads) inside the window. */
  readonly cpuSeconds: number;
  /** Relay peak resident memory (VmHWM: since the relay started), MiB. */
  readonly peakRssMiB: number;
  /** Cores (CPU s per wall s) used by the bench process, Kafka and the rest of the machine. */
  readonly benchCores: number;
  readonly kafkaCores: number;
  readonly restCores: number;
  /** The relay's warn/error log messages during the run (see relay-runner.ts), e.g. failed cycles. */
  readonly warnings?: readonly string[];
}

export function startWindow(relayPid: number): { stop(): WindowResult } {
  const usage = watchUsage(relayPid);
  const machine = watchMachine();
  return {
    stop() {
      const relay = usage.stop();
      const share = machine.stop(relay.cpuSeconds);
      return {
        wallSeconds: relay.wallSeconds,
        cpuSeconds: relay.cpuSeconds,
        peakRssMiB: Math.max(relay.peakRssMiB, relay.sampledPeakRssMiB),
        benchCores: share.bench,
        kafkaCores: share.kafka,
        restCores: share.rest,
      };
    },
  };
}
