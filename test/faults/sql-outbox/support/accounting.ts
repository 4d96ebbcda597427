/**
 * What became of every committed outbox row, from the database's truth (every row, in the order
 * it was written) and what Kafka holds: lost (processed or given up without its record or DLQ
 * entry, or never drained), duplicates, and order per aggregate (each aggregate's records, in
 * offset order and each id at its first copy, must be its rows in the order they were written).
 */
import type { ConsumedRecord } from "../../../support/kafka-topics.ts";

export interface TruthRow {
  readonly id: string;
  readonly aggregatetype: string;
  readonly aggregateid: string;
  readonly state: "pending" | "processed" | "failed";
  readonly attempts: number;
}

export interface OutboxAccount {
  readonly rows: number;
  readonly delivered: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  readonly lost: string[];
  /** Aggregates whose records came out of order, with the first two ids out of place. */
  readonly outOfOrder: string[];
  /** Rows whose attempts were counted against them (a sink or database outage must count none). */
  readonly blamed: number;
}

export function accountFor(params: { truth: readonly TruthRow[]; records: readonly ConsumedRecord[]; deadLetters: ReadonlySet<string> }): OutboxAccount {
  const copies = new Map<string, number>();
  for (const record of params.records) {
    const id = record.headers.id ?? "";
    copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  const lost: string[] = [];
  let delivered = 0;
  let deadLettered = 0;
  for (const row of params.truth) {
    const sent = copies.get(row.id) ?? 0;
    if (row.state === "processed" && sent > 0) delivered++;
    else if (row.state === "failed" && params.deadLetters.has(row.id)) deadLettered++;
    else lost.push(`${row.id} (${row.state}, ${sent} record(s)${row.state === "failed" ? ", no DLQ entry" : ""})`);
  }
  const duplicates = [...copies.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
  return {
    rows: params.truth.length,
    delivered,
    deadLettered,
    duplicates,
    lost,
    outOfOrder: outOfOrder(params.truth, params.records),
    blamed: params.truth.filter((row) => row.attempts > 0 && row.state !== "failed").length,
  };
}

function outOfOrder(truth: readonly TruthRow[], records: readonly ConsumedRecord[]): string[] {
  const written = new Map<string, string[]>();
  for (const row of truth) {
    if (row.state !== "processed") continue;
    const key = `${row.aggregatetype}/${row.aggregateid}`;
    written.set(key, [...(written.get(key) ?? []), row.id]);
  }
  const typeOf = new Map(truth.map((row) => [row.id, row.aggregatetype]));
  const seen = new Map<string, string[]>();
  const ordered = [...records].sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
  const first = new Set<string>();
  for (const record of ordered) {
    const id = record.headers.id ?? "";
    if (first.has(id)) continue;
    first.add(id);
    const key = `${typeOf.get(id) ?? "?"}/${record.key}`;
    seen.set(key, [...(seen.get(key) ?? []), id]);
  }
  const wrong: string[] = [];
  for (const [key, ids] of written) {
    const came = seen.get(key) ?? [];
    const at = ids.findIndex((id, index) => came[index] !== id);
    if (at >= 0) wrong.push(`${key}: expected ${ids[at]} at position ${at}, got ${came[at] ?? "nothing"}`);
  }
  return wrong;
}
