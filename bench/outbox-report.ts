/**
 * The SQL outbox section of the bench report: the drain beside raw kafkajs producing the same
 * records in the same run, the steady streams, and issue 12's targets with a verdict each. The
 * targets are the issue's; Debezium's numbers are the issue's measurements on this machine.
 */
import { med, num, table } from "./format.ts";
import { spread } from "./stats.ts";
import type { LimitResult } from "./workloads/limits.ts";
import type { OutboxDrainResult, OutboxSteadyResult } from "./workloads/outbox.ts";

export interface OutboxResults {
  drain: OutboxDrainResult[];
  raw: LimitResult[];
  steady: Map<number, OutboxSteadyResult[]>;
}

const median = (values: readonly number[]) => spread(values).median;

export function outboxSection(results: OutboxResults): string {
  const { drain, raw, steady } = results;
  const m = <T>(runs: readonly T[], pick: (run: T) => number, digits = 3) => med(spread(runs.map(pick)), digits);
  const rows = drain[0]?.rows ?? 0;
  const drainRate = median(drain.map((run) => run.eventsPerSecond));
  const rawRate = median(raw.map((run) => run.eventsPerSecond));
  const cpuPer1k = median(drain.map((run) => (run.cpuSeconds / run.rows) * 1e6));
  const rss = Math.max(...drain.map((run) => run.peakRssMiB), ...[...steady.values()].flat().map((run) => run.peakRssMiB));
  const p99At2000 = median((steady.get(2000) ?? []).map((run) => run.commitToReceiveP99));
  const lines = [
    `\n## SQL outbox (PostgreSQL → Kafka, acks=all)`,
    `${num(rows)} rows in an outbox table (the machine's PostgreSQL 15, a schema of its own) before the relay starts, delivered with the source's defaults (batches of 5,000, woken by NOTIFY); time from the relay's start line until no row is pending (a row is marked only after Kafka's acknowledgement), n=${drain.length}. Beside it, in the same run: kafkajs alone producing the same records in ~1 MB sends.`,
    table([
      ["run", "rows", "seconds", "events/s", "relay CPU ms / 1k events", "relay peak RSS MiB", "records in Kafka"],
      [
        "relay, sql-outbox → kafka",
        num(rows),
        m(drain, (run) => run.seconds),
        m(drain, (run) => run.eventsPerSecond, 4),
        m(drain, (run) => (run.cpuSeconds / run.rows) * 1e6),
        m(drain, (run) => run.peakRssMiB),
        m(drain, (run) => run.kafkaRecords, 6),
      ],
      [
        "raw kafkajs, the same records",
        num(raw[0]?.rows ?? 0),
        m(raw, (run) => run.seconds),
        m(raw, (run) => run.eventsPerSecond, 4),
        m(raw, (run) => (run.cpuSeconds / run.rows) * 1e6),
        m(raw, (run) => run.peakRssMiB),
        m(raw, (run) => run.delivered, 6),
      ],
    ]),
    `\nSteady streams: single-row transactions committed at a fixed rate (4 connections), the relay running; from each COMMIT's return to the record's receipt by a consumer in the bench process (an upper bound of the acknowledgement).`,
    table([
      ["rows/s", "rows", "p50 ms", "p99 ms", "max ms", "not received", "relay CPU % of 1 core", "relay peak RSS MiB"],
      ...[...steady].map(([rate, runs]) => [
        num(rate),
        m(runs, (run) => run.rows, 6),
        m(runs, (run) => run.commitToReceiveP50),
        m(runs, (run) => run.commitToReceiveP99),
        m(runs, (run) => run.commitToReceiveMax),
        m(runs, (run) => run.notReceived),
        m(runs, (run) => (run.cpuSeconds / run.wallSeconds) * 100),
        m(runs, (run) => run.peakRssMiB),
      ]),
    ]),
    `\nTargets (issue 12; Debezium 3.6 on this machine: 12,700–13,900 events/s, ~125 CPU ms / 1k events, ~400 MB RSS, p99 850 ms at 2,000 rows/s by default, 24.5 ms tuned):`,
    verdict("drain ≥ 40,000 events/s", drainRate >= 40_000, `${num(drainRate, 4)} events/s`),
    verdict("drain ≥ ½ of raw kafkajs in the same run", drainRate >= rawRate / 2, `${num(drainRate / rawRate, 2)} of ${num(rawRate, 4)} events/s`),
    verdict("relay CPU ≤ 25 ms / 1,000 events", cpuPer1k <= 25, `${num(cpuPer1k)} ms`),
    verdict("p99 commit → Kafka ≤ 15 ms at 2,000 rows/s", p99At2000 <= 15, `${num(p99At2000)} ms`),
    verdict("peak RSS ≤ 120 MiB", rss <= 120, `${num(rss)} MiB`),
  ];
  return lines.join("\n");
}

function verdict(target: string, met: boolean, measured: string): string {
  return `  ${met ? "met   " : "MISSED"} ${target}: ${measured}`;
}
