/**
 * The printed results: one table per workload (median and, in brackets, min–max of the
 * repetitions), the comparison with the Go-like baseline and the raw limits, the targets, and the
 * profile's top frames.
 */
import type { Frame } from "./cpu-profile.ts";
import { med, num, table } from "./format.ts";
import type { BenchOptions } from "./options.ts";
import { DEFAULT_POLL_INTERVAL_MS } from "./relay-runner.ts";
import { ALL_PIPELINES } from "./rows.ts";
import { spread } from "./stats.ts";
import { atLeast, atMost, type Verdict } from "./targets.ts";
import type { AllPipelinesResult } from "./workloads/all-pipelines.ts";
import type { BacklogResult } from "./workloads/backlog-drain.ts";
import type { IdleResult } from "./workloads/idle.ts";
import type { LimitResult } from "./workloads/limits.ts";
import type { LogBatchingResult } from "./workloads/log-batching.ts";
import type { SteadyResult } from "./workloads/steady-stream.ts";

export interface BenchResults {
  idle?: IdleResult[];
  baseline?: LimitResult[];
  goWait?: LimitResult;
  rawKafka?: LimitResult[];
  rawMarks?: LimitResult[];
  backlog?: BacklogResult[];
  /** The same drain with HOBOM_GC_EVERY_ROWS=0. */
  backlogUnpaced?: BacklogResult[];
  /** The same drain by the compiled binary. */
  backlogBinary?: BacklogResult[];
  logs?: LogBatchingResult[];
  all?: AllPipelinesResult[];
  steady?: Map<number, SteadyResult[]>;
  poll500?: SteadyResult;
  profile?: { result: BacklogResult; bySelf: Frame[]; byTotal: Frame[]; sampledMs: number; file: string };
}

/** median (min–max) of one field over repetitions. */
function m<T>(runs: readonly T[], pick: (run: T) => number, digits = 3): string {
  return med(spread(runs.map(pick)), digits);
}

/** The relay's warn/error lines over these runs, for a note under a table ("" when none). */
function warningNotes(runs: readonly { warnings?: readonly string[] }[]): string {
  const all = [...new Set(runs.flatMap((run) => run.warnings ?? []))];
  if (all.length === 0) return "";
  const shown = all.slice(0, 8).map((warning) => `  relay log: ${warning}`);
  if (all.length > shown.length) shown.push(`  … and ${all.length - shown.length} more`);
  return `\n${shown.join("\n")}`;
}

function heading(title: string, detail: string): string {
  return `\n## ${title}\n${detail}\n`;
}

function usageCells<T extends { cpuSeconds: number; wallSeconds: number; peakRssMiB: number; benchCores: number; kafkaCores: number; restCores: number }>(
  runs: readonly T[],
): string[] {
  return [
    m(runs, (run) => run.cpuSeconds),
    m(runs, (run) => (run.cpuSeconds / run.wallSeconds) * 100),
    m(runs, (run) => run.peakRssMiB),
    `${m(runs, (run) => run.benchCores, 2)} / ${m(runs, (run) => run.kafkaCores, 2)} / ${m(runs, (run) => run.restCores, 2)}`,
  ];
}

const USAGE_HEADERS = ["relay CPU s", "relay CPU % of 1 core", "relay peak RSS MiB", "cores: bench / kafka / rest"];

export function backlogSection(
  runs: readonly BacklogResult[],
  variants: { unpaced?: readonly BacklogResult[]; binary?: readonly BacklogResult[] } = {},
): string {
  const { unpaced = [], binary = [] } = variants;
  const rows = runs[0]?.rows ?? 0;
  const row = (label: string, of: readonly BacklogResult[]) => [
    label,
    num(rows),
    m(of, (run) => run.seconds),
    m(of, (run) => run.eventsPerSecond, 4),
    m(of, (run) => (run.cpuSeconds / run.rows) * 1e6),
    ...usageCells(of),
    m(of, (run) => run.kafkaRecords, 6),
  ];
  return (
    heading(
      "Backlog drain",
      `${num(rows)} PENDING message rows in for-hobom-backend before the relay starts; time from the relay's start line until every row is SENT (SENT only after a Kafka ack with acks=all), n=${runs.length}.`,
    ) +
    table([
      ["relay", "rows", "seconds", "events/s", "relay CPU ms / 1k events", ...USAGE_HEADERS, "records in Kafka"],
      row("bun src/main.ts, GC paced (default: a full collection every 1,000 marks)", runs),
      ...(unpaced.length > 0 ? [row("bun src/main.ts, GC left to the runtime (HOBOM_GC_EVERY_ROWS=0)", unpaced)] : []),
      ...(binary.length > 0 ? [row("compiled binary (npm run build), GC paced", binary)] : []),
    ]) +
    warningNotes([...runs, ...unpaced, ...binary])
  );
}

export function steadySection(byRate: Map<number, SteadyResult[]>, poll500: SteadyResult | undefined, options: BenchOptions): string {
  const latencyRows: string[][] = [];
  const usageRows: string[][] = [];
  const warnings: SteadyResult[] = [];
  const add = (label: string, runs: readonly SteadyResult[]) => {
    latencyRows.push([
      label,
      m(runs, (run) => run.rows, 6),
      `${m(runs, (run) => run.createToSendP50, 4)} / ${m(runs, (run) => run.createToSendP99, 4)}`,
      `${m(runs, (run) => run.createToReceiveP50, 4)} / ${m(runs, (run) => run.createToReceiveP99, 4)} / ${m(runs, (run) => run.createToReceiveMax, 4)}`,
      `${m(runs, (run) => run.createToSentP50, 4)} / ${m(runs, (run) => run.createToSentP99, 4)} / ${m(runs, (run) => run.createToSentMax, 4)}`,
      `${m(runs, (run) => run.findPeriodMean, 4)} / ${m(runs, (run) => run.findPeriodMax, 4)}`,
      m(runs, (run) => run.duplicates),
    ]);
    usageRows.push([label, m(runs, (run) => run.achievedRate, 4), m(runs, (run) => run.sentPerSecond, 4), m(runs, (run) => run.notSent), ...usageCells(runs)]);
    warnings.push(...runs);
  };
  for (const [rate, runs] of byRate) add(`${num(rate)}/s, poll ${DEFAULT_POLL_INTERVAL_MS} ms`, runs);
  if (poll500) add(`${num(poll500.rate)}/s for ${options.poll500Seconds} s, poll 500 ms (1 run)`, [poll500]);
  const n = [...byRate.values()][0]?.length ?? 0;
  return (
    heading(
      "Steady stream",
      [
        `Message rows created at a fixed rate for ${options.steadySeconds} s (n=${n} per rate); latencies in ms from a row's creation:`,
        "  send     = to its Kafka CreateTime (when the relay called send): a LOWER bound of the ack;",
        "  consumer = to its receipt by a kafkajs consumer in the bench process: an UPPER bound of the ack;",
        "  SENT     = to its MarkSent reaching the double. Find period = time between two message Finds (poll interval + cycle).",
        "A row still undelivered when the bench stopped waiting (overload) counts as ∞; 'SENT/s' is rows SENT per second from the stream's start to the last mark.",
      ].join("\n"),
    ) +
    table([["workload", "rows", "send p50 / p99", "consumer p50 / p99 / max", "SENT p50 / p99 / max", "Find period mean / max", "dupes"], ...latencyRows]) +
    "\n\n" +
    table([["workload", "rows/s created", "SENT/s", "not SENT at end", ...USAGE_HEADERS], ...usageRows]) +
    warningNotes(warnings)
  );
}

export function logsSection(runs: readonly LogBatchingResult[]): string {
  return (
    heading(
      "Log batching",
      `${num(runs[0]?.rows ?? 0)} HOBOM_LOG rows PENDING at start; JSON arrays split into records of ≤ 1 MB; until every row is SENT, n=${runs.length}.`,
    ) +
    table([
      ["rows", "seconds", "events/s", "records", "MB (key+value)", "log items in Kafka", ...USAGE_HEADERS],
      [
        num(runs[0]?.rows ?? 0),
        m(runs, (run) => run.seconds),
        m(runs, (run) => run.eventsPerSecond, 4),
        m(runs, (run) => run.records),
        m(runs, (run) => run.megabytes),
        m(runs, (run) => run.items, 6),
        ...usageCells(runs),
      ],
    ]) +
    warningNotes(runs)
  );
}

export function allSection(runs: readonly AllPipelinesResult[], perPipeline: number): string {
  return (
    heading(
      "Every pipeline at once",
      `${num(perPipeline)} PENDING rows on each of the 7 pipelines at start (all four backends doubled); seconds from the relay's start until each pipeline's last row is SENT, n=${runs.length}.`,
    ) +
    table([
      ["rows", "seconds (all)", "events/s", ...ALL_PIPELINES.map((pipeline) => `${pipeline} s`), ...USAGE_HEADERS],
      [
        num(runs[0]?.rows ?? 0),
        m(runs, (run) => run.seconds),
        m(runs, (run) => run.eventsPerSecond, 4),
        ...ALL_PIPELINES.map((pipeline) => m(runs, (run) => run[`${pipeline}Seconds`])),
        ...usageCells(runs),
      ],
    ]) +
    warningNotes(runs)
  );
}

export function idleSection(runs: readonly IdleResult[]): string {
  return (
    heading(
      "Idle",
      `All 7 pipelines configured, no rows, poll interval ${DEFAULT_POLL_INTERVAL_MS} ms; measured for ${num(runs[0]?.seconds ?? 0)} s after a 3 s settle, n=${runs.length}.`,
    ) +
    table([
      ["relay CPU % of 1 core", "RSS MiB", "peak RSS MiB"],
      [m(runs, (run) => run.cpuPercent, 2), m(runs, (run) => run.rssMiB), m(runs, (run) => run.peakRssMiB)],
    ]) +
    warningNotes(runs)
  );
}

export function comparisonSection(results: BenchResults): string {
  const relay = results.backlog ? spread(results.backlog.map((run) => run.eventsPerSecond)).median : Number.NaN;
  const baseline = results.baseline ? spread(results.baseline.map((run) => run.eventsPerSecond)).median : Number.NaN;
  const kafka = results.rawKafka ? spread(results.rawKafka.map((run) => run.eventsPerSecond)).median : Number.NaN;
  const marks = results.rawMarks ? spread(results.rawMarks.map((run) => run.eventsPerSecond)).median : Number.NaN;
  const goWait = results.goWait?.eventsPerSecond ?? Number.NaN;
  const goWaitExtrapolated = 1 / (1 / baseline + 1);
  const limit = Math.min(kafka, marks);
  const row = (label: string, runs: readonly LimitResult[] | undefined, note: string): string[] =>
    runs
      ? [
          label,
          num(runs[0]?.rows ?? 0),
          m(runs, (run) => run.eventsPerSecond, 4),
          m(runs, (run) => (run.cpuSeconds / run.rows) * 1e6),
          m(runs, (run) => run.peakRssMiB),
          note,
        ]
      : [label, "–", "–", "–", "–", "not run"];
  const relayRows = results.backlog
    ? [
        "relay: backlog drain (above)",
        num(results.backlog[0]?.rows ?? 0),
        m(results.backlog, (run) => run.eventsPerSecond, 4),
        m(results.backlog, (run) => (run.cpuSeconds / run.rows) * 1e6),
        m(results.backlog, (run) => run.peakRssMiB),
        "Find → ledger → ~1 MB sends → record → marks (32 in flight)",
      ]
    : ["relay: backlog drain", "–", "–", "–", "–", "not run"];
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? `${num(a / b)}×` : "–");
  return (
    heading(
      "Relay vs the Go processor's publish path, and the raw limits (same run, same test bed)",
      "Each comparison runs in its own Bun process; the baseline is rebuilt on the relay's own adapters (same kafkajs producer settings: idempotent, acks=all), so only the design differs.",
    ) +
    table([
      ["what", "rows", "events/s", "CPU ms / 1k events", "peak RSS MiB", "how"],
      relayRows,
      row("Go-like baseline", results.baseline, "one send per event awaited, then one mark awaited, in turn (measured on a sample)"),
      results.goWait
        ? [
            "Go-like + 1 s write wait, MEASURED",
            num(results.goWait.rows),
            num(goWait, 4),
            num((results.goWait.cpuSeconds / results.goWait.rows) * 1e6),
            num(results.goWait.peakRssMiB),
            "sleep 1 s before each send (kafka-go BatchTimeout), small sample",
          ]
        : ["Go-like + 1 s write wait, measured", "–", "–", "–", "–", "not run"],
      ["Go-like + 1 s write wait, EXTRAPOLATED", "–", num(goWaitExtrapolated, 4), "–", "–", "1 / (1 / baseline events/s + 1 s)"],
      row("raw kafkajs producer", results.rawKafka, "relay's records, ~1 MB sends incl. framing, one at a time, no relay around it"),
      row("raw MarkSent", results.rawMarks, "relay's gRPC adapter → double, 32 in flight, as fast as possible"),
    ]) +
    "\n\n" +
    [
      `speed-up of the relay over the Go-like baseline:            ${ratio(relay, baseline)}`,
      `speed-up over the Go-like path with its 1 s write wait:     ${ratio(relay, goWait)} (measured), ${ratio(relay, goWaitExtrapolated)} (extrapolated)`,
      `lower of the two raw limits:                                ${num(limit, 4)} events/s (${kafka < marks ? "Kafka" : "MarkSent"})`,
      `relay as a share of that limit:                             ${Number.isFinite(relay / limit) ? `${num((relay / limit) * 100)} %` : "–"}`,
    ].join("\n")
  );
}

export function targetVerdicts(results: BenchResults, options: BenchOptions): Verdict[] {
  const verdicts: Verdict[] = [];
  const sizeNote = options.quick ? " [quick sizes: indicative only]" : "";
  if (results.backlog) {
    const eps = spread(results.backlog.map((run) => run.eventsPerSecond));
    verdicts.push(atLeast(`backlog drain ≥ 5,000 events/s (acks=all)${sizeNote}`, eps.median, 5000, "events/s", `${med(eps, 4)} events/s`));
    const rss = spread(results.backlog.map((run) => run.peakRssMiB));
    verdicts.push(
      atMost(
        `peak RSS ≤ 150 MiB while draining ${num(results.backlog[0]?.rows ?? 0)} rows${sizeNote}`,
        rss.max,
        150,
        "MiB",
        `worst ${num(rss.max)} MiB (median ${num(rss.median)})`,
      ),
    );
  }
  if (results.backlogBinary) {
    const rss = spread(results.backlogBinary.map((run) => run.peakRssMiB));
    verdicts.push(atMost(`the same, compiled binary${sizeNote}`, rss.max, 150, "MiB", `worst ${num(rss.max)} MiB (median ${num(rss.median)})`));
  }
  const at2000 = results.steady?.get(2000);
  if (at2000) {
    const limit = DEFAULT_POLL_INTERVAL_MS + 250;
    const upper = spread(at2000.map((run) => run.createToReceiveP99));
    const lower = spread(at2000.map((run) => run.createToSendP99));
    verdicts.push(
      atMost(
        `p99 create → Kafka ≤ poll interval + 250 ms = ${num(limit)} ms at 2,000 rows/s${sizeNote}`,
        upper.median,
        limit,
        "ms",
        `${med(upper, 4)} ms (consumer receipt, upper bound); send time p99 ${med(lower, 4)} ms (lower bound)`,
      ),
    );
  }
  if (results.idle) {
    const cpu = spread(results.idle.map((run) => run.cpuPercent));
    verdicts.push(atMost("idle CPU < 1 % (of one core; /proc ticks give 0.1 % steps over 10 s)", cpu.median, 1, "percentage points", `${med(cpu, 2)} %`, true));
  }
  return verdicts;
}

export function targetsSection(verdicts: readonly Verdict[]): string {
  return (
    heading("Targets (2-core machine)", "") +
    table([
      ["target", "measured", "verdict"],
      ...verdicts.map((verdict) => [
        verdict.target,
        verdict.measured,
        verdict.met === undefined ? "not measured" : `${verdict.met ? "MET" : "MISSED"}: ${verdict.margin}`,
      ]),
    ])
  );
}

export function profileSection(profile: NonNullable<BenchResults["profile"]>): string {
  const frames = (list: readonly Frame[]) =>
    table([["self %", "total %", "function (file:line)"], ...list.map((frame) => [num(frame.selfPercent, 2), num(frame.totalPercent, 2), frame.name])]);
  return (
    heading(
      "CPU profile of the relay (bun --cpu-prof), one backlog drain",
      `${num(profile.result.rows)} rows in ${num(profile.result.seconds)} s under the profiler (${num(profile.result.eventsPerSecond, 4)} events/s); ${num(profile.sampledMs / 1000)} s sampled; ${profile.file}`,
    ) +
    "Top frames by self time:\n" +
    frames(profile.bySelf) +
    "\n\nTop frames by total time (what the time was spent for):\n" +
    frames(profile.byTotal)
  );
}
