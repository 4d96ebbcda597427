/**
 * Runs every fault scenario (the same ones the tests in this folder run) and prints the README's
 * Reliability table in markdown: the Kafka it ran on, rows, delivered, dead-lettered, duplicates,
 * lost and time to recover per scenario. The cluster scenarios share one private cluster, started
 * for the first of them. Exits 1 when a scenario broke a rule (the table still prints).
 *
 *   sh test/infra/with-bun.sh test/faults/report.ts                 # every scenario once
 *   sh test/infra/with-bun.sh test/faults/report.ts --runs 3        # each three times, one row per run
 *   sh test/infra/with-bun.sh test/faults/report.ts --only relay-sigkill,redis-restart
 *
 * Progress goes to stderr, the table to stdout.
 */
import { parseArgs } from "node:util";
import type { KafkaCluster } from "../infra/kafka-cluster.ts";
import { ensureTestbed, testbedEnvVars } from "../infra/testbed.ts";
import { CLUSTER_SCENARIOS } from "./support/cluster-scenarios.ts";
import { kafkaLabel, startFaultCluster } from "./support/kafka-target.ts";
import { FAULT_MAX_MESSAGE_BYTES, runScenario, type ScenarioResult } from "./support/scenario.ts";
import { SCENARIOS as SINGLE_BROKER_SCENARIOS } from "./support/scenarios.ts";
import { describeResult, violations } from "./support/verdict.ts";

const SCENARIOS = [...SINGLE_BROKER_SCENARIOS, ...CLUSTER_SCENARIOS];

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: "string", default: "1" }, only: { type: "string" }, verbose: { type: "boolean", default: false } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
const only = values.only?.split(",").map((id) => id.trim());
const chosen = SCENARIOS.filter((scenario) => !only || only.includes(scenario.id));
if (chosen.length === 0) throw new Error(`no scenario matches --only ${values.only}; ids: ${SCENARIOS.map((s) => s.id).join(", ")}`);

Object.assign(process.env, testbedEnvVars(await ensureTestbed()));

const results: { result?: ScenarioResult; error?: unknown; run: number; id: string }[] = [];
const started = performance.now();
let cluster: KafkaCluster | undefined;
let clusterStartMs = 0;
for (const scenario of chosen) {
  if (scenario.privateCluster && !cluster) {
    const starting = performance.now();
    cluster = await startFaultCluster();
    clusterStartMs = performance.now() - starting;
    process.stderr.write(`fault report: private 3-node cluster started in ${(clusterStartMs / 1000).toFixed(1)} s\n`);
  }
  for (let run = 1; run <= runs; run++) {
    process.stderr.write(`fault report: ${scenario.id}${runs > 1 ? ` (run ${run}/${runs})` : ""}\n`);
    try {
      const result = await runScenario(scenario, { cluster, onNote: values.verbose ? (line) => process.stderr.write(`  ${line}\n`) : undefined });
      results.push({ result, run, id: scenario.id });
      const problems = violations(result);
      process.stderr.write(`${describeResult(result)}\n${problems.length === 0 ? "  held" : `  BROKEN:\n${problems.map((p) => `    - ${p}`).join("\n")}`}\n\n`);
    } catch (error) {
      results.push({ error, run, id: scenario.id });
      process.stderr.write(`  scenario failed to run: ${(error as Error).stack ?? error}\n\n`);
    }
  }
}
await cluster?.destroy();

const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "never");
const lines = [
  "| scenario | Kafka | rows | delivered | dead-lettered | duplicates | lost | during the fault: created / SENT | time to recover | run time |",
  "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
];
let broken = 0;
for (const { result, error, run, id } of results) {
  const label = (result?.scenario.title ?? id) + (runs > 1 ? ` (run ${run})` : "");
  if (!result) {
    broken++;
    const scenario = SCENARIOS.find((candidate) => candidate.id === id);
    const kafka = scenario ? kafkaLabel(scenario) : "–";
    lines.push(`| ${label} | ${kafka} | – | – | – | – | – | – | did not run: ${String((error as Error)?.message ?? error).split("\n")[0]} | – |`);
    continue;
  }
  const a = result.accounting;
  const problems = violations(result);
  if (problems.length > 0) broken++;
  const duplicates = result.scenario.duplicates === "one batch" ? `${a.duplicates} (≤ ${a.batchRowBound} allowed)` : String(a.duplicates);
  const flowed = `${result.duringFault.created} / ${result.duringFault.sent}`;
  lines.push(
    `| ${label}${problems.length > 0 ? " **(broken)**" : ""} | ${kafkaLabel(result.scenario)} | ${a.created} | ${a.delivered} | ${a.deadLettered} | ${duplicates} | ${a.lost} | ${flowed} | ${seconds(result.timings.recoverMs)} | ${seconds(result.timings.totalMs)} |`,
  );
}
const rates = results.flatMap(({ result }) => (result ? [Math.round(result.accounting.created / (result.timings.streamMs / 1000))] : []));
const notes = [
  "",
  `Rows were added at a steady ${rates.length > 0 ? `${Math.min(...rates)}–${Math.max(...rates)}` : "?"} a second across six pipelines (message, log, space, space-log, angel, angel-log), about 1 % without a payload;`,
  "each fault hit in the middle of the stream. Delivered: SENT and in Kafka; dead-lettered: FAILED with a DLQ entry;",
  "lost: neither (must be 0). Duplicates: copies beyond the first in Kafka, allowed only where one send's outcome is lost",
  "(the relay or the broker SIGKILLed, the broker paused past the write timeout), and then at most one send batch",
  `(HOBOM_KAFKA_MAX_MESSAGE_BYTES=${FAULT_MAX_MESSAGE_BYTES} over the smallest record or log item, in one pipeline).`,
  "Kafka: the shared single broker or a private one (1 broker), or a private 3-node KRaft cluster (3 brokers: topics of",
  "6 partitions, RF 3, min.insync.replicas 2 unless the scenario says otherwise), which the cluster scenarios share in turn",
  `(started in ${seconds(clusterStartMs)}${cluster ? "" : ", not needed by this run"}).`,
  "During the fault: rows created, and rows (of any age) marked SENT, between the fault's start and its end: how much flowed through it.",
  "Time to recover: from the end of the fault (broker or Redis back, relay restarted, owner dead, backend healthy, old",
  "instance exited) until every row created before that moment was SENT or FAILED. Run time: the whole scenario, setup and count included.",
  `Generated by \`sh test/infra/with-bun.sh test/faults/report.ts\` in ${seconds(performance.now() - started)}.`,
];
process.stdout.write(`${[...lines, ...notes].join("\n")}\n`);
process.exit(broken > 0 ? 1 : 0);
