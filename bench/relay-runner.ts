/**
 * The relay under test: the real entrypoint as a child process (test/support/relay-process.ts),
 * pointed at the bench doubles and the shared test bed with fresh topics and a fresh Redis
 * namespace, optionally under Bun's CPU profiler. Workloads watch its CPU and memory themselves
 * (proc-usage.ts) over the window they measure; `finish()` stops it and cleans the test bed up.
 */
import { resolve } from "node:path";
import { createTopics } from "../test/support/kafka-topics.ts";
import { type RelayTestSetup, relayTestSetup } from "../test/support/relay-env.ts";
import { type RelayProcess, startRelayProcess } from "../test/support/relay-process.ts";
import { deleteRedisNamespace, deleteTopics } from "./cleanup.ts";
import { wallClockMs } from "./clock.ts";
import type { BenchBackends } from "./doubles.ts";
import { BENCH_API_KEY } from "./doubles.ts";
import type { BenchTestbed } from "./testbed.ts";

const MAIN = resolve(import.meta.dir, "../src/main.ts");

/** The relay's own default; the steady-stream target is stated against it. */
export const DEFAULT_POLL_INTERVAL_MS = 5000;

export interface BenchRelayOptions {
  readonly pollIntervalMs?: number;
  /** Write a .cpuprofile into this directory when the relay exits. */
  readonly cpuProfileDir?: string;
  /** Extra Bun flags for the relay process, e.g. ["--smol"]. */
  readonly bunFlags?: readonly string[];
  /** Run this executable (the compiled relay) instead of `bun src/main.ts`; profile and flags then do not apply. */
  readonly binary?: string;
  readonly env?: Record<string, string>;
}

export interface BenchRelay {
  readonly relay: RelayProcess;
  readonly setup: RelayTestSetup;
  readonly pid: number;
  /** Wall-clock ms at which the bench saw the relay's start log line. */
  readonly startedAtMs: number;
  /**
   * The relay's distinct warn and error log messages so far, with how often each came; a non-zero
   * exit code is added to the returned list when `finish()` stops the relay.
   */
  warnings(): string[];
  /** Stops the relay (SIGTERM, waits for the exit), then deletes its topics and Redis keys. */
  finish(): Promise<void>;
}

export async function startBenchRelay(testbed: BenchTestbed, backends: BenchBackends, options: BenchRelayOptions = {}): Promise<BenchRelay> {
  const setup = relayTestSetup({
    hobom: backends.hobom,
    space: backends.space,
    angel: backends.angel,
    llm: backends.llm,
    overrides: {
      HOBOM_GRPC_API_KEY: BENCH_API_KEY,
      HOBOM_POLL_INTERVAL_MS: String(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
      // The relay's defaults, not the test setup's short ones.
      HOBOM_KAFKA_WRITE_TIMEOUT_MS: "10000",
      HOBOM_LOG_LEVEL: "info",
      // A run that ends with rows still in flight (an overload) should not wait 10 s to stop.
      HOBOM_SHUTDOWN_TIMEOUT_MS: "2000",
      ...options.env,
    },
  });
  await createTopics(testbed.kafkaBrokers, Object.values(setup.topics));
  const profile = options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const flags = [...profile, ...(options.bunFlags ?? [])];
  const command = options.binary ? [options.binary] : flags.length > 0 ? [process.execPath, ...flags, MAIN] : undefined;
  const relay = await startRelayProcess(setup.env, { command });
  const startedAtMs = wallClockMs();
  let finished: Promise<void> | undefined;
  const handedOut: string[][] = [];
  return {
    relay,
    setup,
    pid: relay.pid,
    startedAtMs,
    warnings() {
      // Lines that differ only in numbers (sizes, counts, ids) are one kind, shown by its first.
      const kinds = new Map<string, { text: string; count: number }>();
      for (const line of relay.logs) {
        if (line.level !== "warn" && line.level !== "error") continue;
        const error = typeof line.error === "string" ? `: ${line.error.slice(0, 160)}` : "";
        const text = `${line.level} "${line.msg}"${error}`;
        const kind = text.replace(/\d+/g, "#");
        const seen = kinds.get(kind);
        if (seen) seen.count++;
        else kinds.set(kind, { text, count: 1 });
      }
      const lines = [...kinds.values()].map(({ text, count }) => `${count}× ${text}${count > 1 ? " (first of them)" : ""}`);
      // The list stays live: `finish()` adds a non-zero exit code to it (results are built first).
      handedOut.push(lines);
      return lines;
    },
    finish() {
      finished ??= (async () => {
        const exitCode = await relay.stop();
        // 1: the shutdown timeout passed with a cycle still running (an overload left rows in flight).
        const exit = `exit code ${exitCode} after SIGTERM${relay.stderr() ? `; stderr: ${relay.stderr().slice(0, 300)}` : ""}`;
        if (exitCode !== 0) for (const lines of handedOut) lines.push(exit);
        await Promise.all([deleteTopics(testbed.kafkaBrokers, Object.values(setup.topics)), deleteRedisNamespace(testbed.redisUrl, setup.namespace)]);
      })();
      return finished;
    },
  };
}
