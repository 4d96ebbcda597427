/**
 * Whether a fault scenario held (the rules every scenario shares, then its own), and a few lines
 * that say what happened, for a test's output and the report.
 */
import { KAFKA_UNREACHABLE, PARTITION_UNREACHABLE } from "./cluster-steps.ts";
import { kafkaLabel } from "./kafka-target.ts";
import type { ScenarioResult } from "./scenario.ts";

/** What must hold at the end of every scenario, as violation texts (empty: it held). */
export function violations(result: ScenarioResult): string[] {
  const a = result.accounting;
  const found: string[] = [];
  if (result.drainTimeout) found.push(`not drained: ${result.drainTimeout}`);
  if (a.created < 5_000) found.push(`only ${a.created} rows created`);
  if (a.lost > 0) found.push(`${a.lost} rows lost: ${JSON.stringify(a.lostSample)}`);
  if (a.goodRowsFailed > 0) found.push(`${a.goodRowsFailed} rows meant to be delivered ended FAILED`);
  if (a.badRowsDelivered > 0) found.push(`${a.badRowsDelivered} rows meant to be dead-lettered (no payload, or oversized) reached Kafka or SENT`);
  if (a.oversizedRefusedByKafka < a.oversized)
    found.push(
      `${a.oversized - a.oversizedRefusedByKafka} of ${a.oversized} oversized rows have no DLQ entry naming MESSAGE_TOO_LARGE (e.g. ${a.oversizedReasonSample})`,
    );
  if (a.unexpectedInKafka > 0) found.push(`${a.unexpectedInKafka} records in Kafka belong to no row`);
  if (result.scenario.duplicates === "none") {
    if (a.duplicates > 0)
      found.push(`${a.duplicates} duplicates in Kafka (${JSON.stringify(a.duplicatesByPipeline)}) in a scenario where no send's outcome is unknown`);
  } else {
    const pipelines = Object.keys(a.duplicatesByPipeline);
    if (a.duplicates > a.batchRowBound) found.push(`${a.duplicates} duplicates exceed one batch (${a.batchRowBound} rows)`);
    if (pipelines.length > 1) found.push(`duplicates in ${pipelines.length} pipelines (${JSON.stringify(a.duplicatesByPipeline)}): more than one batch`);
    if (a.duplicateSpan > a.batchRowBound)
      found.push(`duplicated rows span ${a.duplicateSpan} rows of their pipeline in one partition, more than one batch (${a.batchRowBound})`);
  }
  found.push(...result.problems, ...(result.scenario.check?.(result) ?? []));
  return found;
}

/** A few lines for a test's output: the counts and the timeline. */
export function describeResult(result: ScenarioResult): string {
  const a = result.accounting;
  const t = result.timings;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `${result.scenario.title} (Kafka: ${kafkaLabel(result.scenario)}):`,
    `  rows ${a.created} (${a.bad} without payload${a.oversized > 0 ? `, ${a.oversized} oversized` : ""}): delivered ${a.delivered}, dead-lettered ${a.deadLettered}, lost ${a.lost}; SENT ${a.sent}, FAILED ${a.failed}, PENDING ${a.pending}`,
    `  Kafka: ${a.kafkaUnique} unique rows, ${a.duplicates} duplicate copies (${a.duplicatedRows} rows, ${JSON.stringify(a.duplicatesByPipeline)}, span ${a.duplicateSpan}); one batch holds at most ${a.batchRowBound} rows (${a.maxMessageBytes} B / ${a.smallestRowBytes} B)`,
    ...(a.duplicates > 0 ? [`  duplicated rows (sample): ${JSON.stringify(a.duplicateSample)}`] : []),
    ...(a.oversized > 0
      ? [`  oversized rows: ${a.oversizedRefusedByKafka} of ${a.oversized} dead-lettered for MESSAGE_TOO_LARGE (e.g. ${a.oversizedReasonSample})`]
      : []),
    ...result.findings.map((line) => `  ${line}`),
    ...kafkaOutagesSeen(result),
    `  by pipeline: ${Object.entries(a.byPipeline)
      .map(([p, c]) => `${p} ${c.delivered}+${c.deadLettered}/${c.created}`)
      .join(", ")}`,
    `  during the fault: ${result.duringFault.created} rows created, ${result.duringFault.sent} rows marked SENT`,
    `  stream ${seconds(t.streamMs)}, fault ${seconds(t.faultBeganAtMs)} → ${seconds(t.faultEndedAtMs)}, recovered ${seconds(t.recoverMs)} after the fault, drained at ${seconds(t.drainedAtMs)}, total ${seconds(t.totalMs)}`,
    `  exit codes: ${JSON.stringify(result.exitCodes)}`,
    "  timeline:",
    ...result.timeline.map((line) => `    ${line}`),
  ].join("\n");
}

/** How often the relays logged a partition outage and the breaker opening: how the fault looked from inside. */
function kafkaOutagesSeen(result: ScenarioResult): string[] {
  const lines = Object.values(result.relayLogs).flat();
  const partitions = lines.filter((line) => line.msg === PARTITION_UNREACHABLE).map((line) => `${String(line.topic).split(".").pop()}[${line.partition}]`);
  const breaker = lines.filter((line) => line.msg === KAFKA_UNREACHABLE).length;
  if (partitions.length === 0 && breaker === 0) return [];
  return [
    `  relay saw: ${partitions.length} partition outage(s) ${partitions.length > 0 ? `(${partitions.join(", ")})` : ""}, the breaker open ${breaker} time(s)`,
  ];
}
