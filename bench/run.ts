/**
 * `bun run bench` (full, ~16 min) / `bun run bench -- --quick` (small sizes, one repetition).
 *
 * Starts (or reuses) the test bed: real Kafka, real Redis, the backend doubles on loopback in this
 * process. Runs the relay (`bun src/main.ts`) as a separate process per measurement, and prints a
 * table per workload, the comparison with a Go-like baseline and with the raw limits, the targets
 * and a CPU profile. It reports; it never fails on a number (exit code 0 unless it could not run).
 */
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "./binary.ts";
import { topFrames } from "./cpu-profile.ts";
import { num } from "./format.ts";
import { describeMachine, locateKafka, waitForQuietMachine } from "./machine.ts";
import { parseOptions } from "./options.ts";
import { type OutboxResults, outboxSection } from "./outbox-report.ts";
import { progress, repeat, repeatSideBySide } from "./repeat.ts";
import {
  allSection,
  type BenchResults,
  backlogSection,
  comparisonSection,
  idleSection,
  logsSection,
  profileSection,
  steadySection,
  targetsSection,
  targetVerdicts,
} from "./report.ts";
import { benchTestbed } from "./testbed.ts";
import { allPipelines } from "./workloads/all-pipelines.ts";
import { backlogDrain } from "./workloads/backlog-drain.ts";
import { idle } from "./workloads/idle.ts";
import type { LimitResult } from "./workloads/limits.ts";
import { goLikeBaseline, rawKafka, rawMarks } from "./workloads/limits.ts";
import { logBatching } from "./workloads/log-batching.ts";
import { type OutboxDrainResult, type OutboxSteadyResult, outboxDrain, outboxSteady, rawOutboxKafka } from "./workloads/outbox.ts";
import { type SteadyResult, steadyStream } from "./workloads/steady-stream.ts";

const args = process.argv.slice(2);

const options = parseOptions(args);
const has = (section: Parameters<typeof options.sections.has>[0]) => options.sections.has(section);
const started = performance.now();
const machine = describeMachine();
progress(`starting the test bed; ${machine.join("; ")}`);
progress(
  `${options.quick ? "quick run: about 3 min" : "full run: about 17 min on a busy 2-core machine (steady streams alone are 9 × 60 s)"}; results are printed at the end`,
);
const testbed = await benchTestbed();
await locateKafka();
const results: BenchResults = {};
const reps = options.reps;

if (has("idle")) {
  results.idle = await repeat({
    label: "idle",
    reps,
    run: () => idle(testbed, { seconds: options.idleSeconds }),
    describe: (run) => `${num(run.cpuPercent, 2)} % CPU, ${num(run.rssMiB)} MiB`,
  });
}

if (has("limits")) {
  const eps = (run: { eventsPerSecond: number }) => `${num(run.eventsPerSecond, 4)} events/s`;
  results.baseline = await repeat({
    label: `Go-like baseline, ${num(options.baselineRows)} rows`,
    reps,
    warmup: () => goLikeBaseline(testbed, { rows: Math.min(500, options.baselineRows) }),
    run: () => goLikeBaseline(testbed, { rows: options.baselineRows }),
    describe: eps,
  });
  progress(`Go-like with a 1 s wait per write, ${options.goWaitRows} rows (once)`);
  results.goWait = await goLikeBaseline(testbed, { rows: options.goWaitRows, writeWaitMs: 1000 });
  results.rawKafka = await repeat({
    label: `raw kafkajs, ${num(options.rawKafkaRows)} records`,
    reps,
    warmup: () => rawKafka(testbed, { rows: Math.min(10_000, options.rawKafkaRows) }),
    run: () => rawKafka(testbed, { rows: options.rawKafkaRows }),
    describe: eps,
  });
  results.rawMarks = await repeat({
    label: `raw MarkSent, ${num(options.rawMarkRows)} marks`,
    reps,
    warmup: () => rawMarks(testbed, { rows: Math.min(2_000, options.rawMarkRows) }),
    run: () => rawMarks(testbed, { rows: options.rawMarkRows }),
    describe: eps,
  });
}

if (has("backlog")) {
  progress("building the binary (npm run build)");
  const binary = buildBinary();
  const rows = num(options.backlogRows);
  const drains = await repeatSideBySide({
    reps,
    warmup: () => backlogDrain(testbed, { rows: options.backlogWarmupRows }),
    variants: {
      paced: { label: `backlog drain, ${rows} rows`, run: () => backlogDrain(testbed, { rows: options.backlogRows }) },
      // Collection left to JavaScriptCore: what the relay's GC pacing buys and costs.
      unpaced: {
        label: `backlog drain, ${rows} rows, HOBOM_GC_EVERY_ROWS=0`,
        run: () => backlogDrain(testbed, { rows: options.backlogRows, env: { HOBOM_GC_EVERY_ROWS: "0" } }),
      },
      // What operators run: the single executable, bundled and minified.
      binary: { label: `backlog drain, ${rows} rows, compiled binary`, run: () => backlogDrain(testbed, { rows: options.backlogRows, binary }) },
    },
    describe: (run) => `${num(run.seconds)} s, ${num(run.eventsPerSecond, 4)} events/s, ${num(run.cpuSeconds)} CPU s, ${num(run.peakRssMiB)} MiB`,
  });
  results.backlog = drains.paced;
  results.backlogUnpaced = drains.unpaced;
  results.backlogBinary = drains.binary;
}

if (has("logs")) {
  results.logs = await repeat({
    label: `log batching, ${num(options.logRows)} rows`,
    reps,
    warmup: () => logBatching(testbed, { rows: Math.min(5_000, options.logRows) }),
    run: () => logBatching(testbed, { rows: options.logRows }),
    describe: (run) => `${num(run.seconds)} s, ${num(run.eventsPerSecond, 4)} events/s, ${run.records} records, ${num(run.megabytes)} MB`,
  });
}

if (has("all")) {
  results.all = await repeat({
    label: `every pipeline, ${num(options.rowsPerPipeline)} rows each`,
    reps,
    warmup: () => allPipelines(testbed, { rowsPerPipeline: Math.min(100, options.rowsPerPipeline) }),
    run: () => allPipelines(testbed, { rowsPerPipeline: options.rowsPerPipeline }),
    describe: (run) => `${num(run.seconds)} s, ${num(run.eventsPerSecond, 4)} events/s`,
  });
}

if (has("steady")) {
  results.steady = new Map<number, SteadyResult[]>();
  progress(`steady stream: warm-up, 2,000 rows/s for ${options.steadyWarmupSeconds} s`);
  await steadyStream(testbed, { rate: 2000, seconds: options.steadyWarmupSeconds });
  for (const rate of options.steadyRates) {
    results.steady.set(
      rate,
      await repeat({
        label: `steady stream, ${num(rate)} rows/s for ${options.steadySeconds} s`,
        reps,
        run: () => steadyStream(testbed, { rate, seconds: options.steadySeconds }),
        describe: (run) => `consumer p99 ${num(run.createToReceiveP99, 4)} ms, SENT p99 ${num(run.createToSentP99, 4)} ms, ${num(run.cpuSeconds)} CPU s`,
      }),
    );
  }
}

if (has("poll500")) {
  await waitForQuietMachine(5_000);
  progress(`steady stream with HOBOM_POLL_INTERVAL_MS=500, ${num(options.poll500Rate)} rows/s for ${options.poll500Seconds} s (once)`);
  results.poll500 = await steadyStream(testbed, { rate: options.poll500Rate, seconds: options.poll500Seconds, pollIntervalMs: 500 });
}

let outbox: OutboxResults | undefined;
if (has("outbox")) {
  const rows = options.outboxRows;
  // Side by side, one of each per repetition: the drain and its limit see the same machine.
  const side = await repeatSideBySide<"drain" | "raw", OutboxDrainResult | LimitResult>({
    reps,
    warmup: () => outboxDrain(testbed, { rows: Math.min(10_000, rows) }),
    variants: {
      drain: { label: `SQL outbox drain, ${num(rows)} rows`, run: () => outboxDrain(testbed, { rows }) },
      raw: { label: `raw kafkajs, the same ${num(rows)} records`, run: () => rawOutboxKafka(testbed, { rows }) },
    },
    describe: (run) => `${num(run.seconds)} s, ${num(run.eventsPerSecond, 4)} events/s`,
  });
  const steady = new Map<number, OutboxSteadyResult[]>();
  for (const rate of options.outboxRates) {
    steady.set(
      rate,
      await repeat({
        label: `SQL outbox steady commits, ${num(rate)} rows/s for ${options.outboxSeconds} s`,
        reps,
        run: () => outboxSteady(testbed, { rate, seconds: options.outboxSeconds }),
        describe: (run) => `p99 ${num(run.commitToReceiveP99)} ms, ${run.notReceived} not received`,
      }),
    );
  }
  outbox = {
    drain: side.drain.filter((run): run is OutboxDrainResult => "kafkaRecords" in run),
    raw: side.raw.filter((run): run is LimitResult => "delivered" in run),
    steady,
  };
}

if (has("profile")) {
  const dir = join("/tmp", `hobom-bench-profile-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  await waitForQuietMachine(5_000);
  progress(`profiling one backlog drain of ${num(options.profileRows)} rows (bun --cpu-prof, not counted above)`);
  const result = await backlogDrain(testbed, { rows: options.profileRows, cpuProfileDir: dir });
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (file) results.profile = { result, ...topFrames(join(dir, file), 15), file: join(dir, file) };
  else progress(`no .cpuprofile was written in ${dir}`);
}

const minutes = (performance.now() - started) / 60_000;
const git = (gitArgs: string[]) =>
  Bun.spawnSync(["git", ...gitArgs], { cwd: join(import.meta.dir, "..") })
    .stdout.toString()
    .trim();
const changed = git(["status", "--porcelain", "--", "src"]).split("\n").filter(Boolean).length;
const out: string[] = [
  `# hobom-event-processor benchmark (${options.quick ? "QUICK: small sizes, 1 repetition" : "full run"})`,
  `command: bun run bench${args.length ? ` -- ${args.join(" ")}` : ""}   (took ${num(minutes)} min)`,
  ...machine.map((line) => `machine: ${line}`),
  `relay: src/ at commit ${git(["rev-parse", "--short", "HEAD"])}${changed ? ` plus ${changed} uncommitted change(s) under src/` : ""}, run as \`bun src/main.ts\` with the relay's defaults (poll interval 5000 ms, acks=all, 32 marks in flight) unless a table says otherwise.`,
  `test bed: Kafka ${testbed.kafkaBrokers.join(",")} (one broker, topics with 1 partition), Redis ${testbed.redisUrl}; the backend doubles and the latency consumer run in the bench process, which shares the machine with the relay, Kafka and Redis ("cores" columns).`,
  `each workload: ${reps} repetition(s) after a warm-up; cells are median (min–max); the relay is a fresh \`bun src/main.ts\` process per repetition, CPU = utime+stime from /proc/<pid>/stat over the measured window, peak RSS = VmHWM (and sampled VmRSS) from /proc/<pid>/status.`,
];
if (results.backlog) out.push(backlogSection(results.backlog, { unpaced: results.backlogUnpaced, binary: results.backlogBinary }));
if (results.steady || results.poll500) out.push(steadySection(results.steady ?? new Map(), results.poll500, options));
if (results.logs) out.push(logsSection(results.logs));
if (results.all) out.push(allSection(results.all, options.rowsPerPipeline));
if (results.idle) out.push(idleSection(results.idle));
if (outbox) out.push(outboxSection(outbox));
if (results.baseline || results.rawKafka || results.rawMarks) out.push(comparisonSection(results));
out.push(targetsSection(targetVerdicts(results, options)));
if (results.profile) out.push(profileSection(results.profile));
process.stdout.write(`${out.join("\n")}\n`);
process.exit(0);
