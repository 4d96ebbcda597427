/** The Find step of a cycle: every PENDING row of every event type of a pipeline. */
import type { OutboxRow } from "../grpc/wire-types.ts";
import type { PipelineContext } from "./context.ts";

export interface Fetched {
  readonly rows: OutboxRow<unknown>[];
  /** A Find returned a full page: more rows wait, poll again at once. */
  readonly more: boolean;
}

export async function fetchPending(context: PipelineContext, signal: AbortSignal): Promise<Fetched> {
  const { pipeline, source, metrics } = context;
  const rows: OutboxRow<unknown>[] = [];
  let more = false;
  for (const eventType of pipeline.find.eventTypes) {
    const page = await source.findPending(eventType, signal);
    if (pipeline.find.pageLimit !== undefined && page.length >= pipeline.find.pageLimit) more = true;
    for (const row of page) {
      // Without an eventId a row can be neither marked nor dead-lettered: only the backend can fix it.
      if (row.eventId === "") context.log.error("a row without eventId was skipped; fix it at the backend", { eventType, row });
      else rows.push(row);
    }
  }
  metrics.rows("fetched", pipeline.name, rows.length);
  metrics.oldestRowAge(pipeline.name, oldestAgeSeconds(rows, context.now()));
  return { rows, more };
}

/** Backends write dates as ISO 8601 or as JS `Date.toString()` text; both parse. */
function oldestAgeSeconds(rows: readonly OutboxRow<unknown>[], now: Date): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const row of rows) {
    const created = Date.parse(row.createdAt);
    if (created < oldest) oldest = created;
  }
  return Number.isFinite(oldest) ? Math.max(0, (now.getTime() - oldest) / 1000) : 0;
}
