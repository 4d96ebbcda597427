/**
 * The Find step of a cycle: every PENDING row of every event type of a pipeline, handed to the
 * cycle a slice at a time. The Finds' responses stay as bytes until a slice is reached (see
 * `PendingRows`), so a 100,000-row backlog is never 100,000 row objects at once.
 */
import type { OutboxRow } from "../grpc/wire-types.ts";
import type { PipelineContext } from "./context.ts";
import type { PendingRows } from "./ports.ts";

type Row = OutboxRow<unknown>;

export interface Fetched {
  /** How many rows the Finds returned. */
  readonly count: number;
  /** A Find returned a full page: more rows wait, poll again at once. */
  readonly more: boolean;
  /**
   * The rows in the backends' order, `size` at a time (the last slice may be shorter), decoded as
   * each slice is reached. Rows without an eventId are logged and left out. Iterate once.
   */
  slices(size: number): Generator<Row[]>;
}

export async function fetchPending(context: PipelineContext, signal: AbortSignal): Promise<Fetched> {
  const { pipeline, source, metrics } = context;
  const pages: PendingRows[] = [];
  let count = 0;
  let more = false;
  for (const eventType of pipeline.find.eventTypes) {
    const page = await source.findPending(eventType, signal);
    if (pipeline.find.pageLimit !== undefined && page.count >= pipeline.find.pageLimit) more = true;
    pages.push(page);
    count += page.count;
  }
  metrics.rows("fetched", pipeline.name, count);
  if (count === 0) metrics.oldestRowAge(pipeline.name, 0);
  return { count, more, slices: (size) => slicesOf(context, pages, size) };
}

function* slicesOf(context: PipelineContext, pages: readonly PendingRows[], size: number): Generator<Row[]> {
  const lag = oldestRow(context);
  // A backend that returns one row twice must not get it published twice.
  const seen = new Set<string>();
  let slice: Row[] = [];
  for (const page of pages) {
    for (let start = 0; start < page.count; ) {
      const end = Math.min(page.count, start + size - slice.length);
      for (const row of page.decode(start, end)) {
        lag.see(row);
        if (row.eventId === "") reportUnaddressable(context, row);
        else if (seen.has(row.eventId)) context.log.debug("a Find returned this eventId twice; it is handled once", { eventId: row.eventId });
        else {
          seen.add(row.eventId);
          slice.push(row);
        }
      }
      start = end;
      if (slice.length >= size) {
        lag.report();
        yield slice;
        slice = [];
      }
    }
  }
  lag.report();
  if (slice.length > 0) yield slice;
}

/**
 * The age of the oldest row seen so far, reported after every slice: the backends return the oldest
 * rows first, so the first slice of a large Find already tells the lag.
 */
function oldestRow(context: PipelineContext) {
  let oldest = Number.POSITIVE_INFINITY;
  return {
    see(row: Row) {
      // Backends write dates as ISO 8601 or as JS `Date.toString()` text; both parse.
      const created = Date.parse(row.createdAt);
      if (created < oldest) oldest = created;
    },
    report() {
      const seconds = Number.isFinite(oldest) ? Math.max(0, (context.now().getTime() - oldest) / 1000) : 0;
      context.metrics.oldestRowAge(context.pipeline.name, seconds);
    },
  };
}

/** Without an eventId a row can be neither marked nor dead-lettered: only the backend can fix it. */
function reportUnaddressable(context: PipelineContext, row: Row): void {
  const fields = { id: row.id, eventType: row.eventType, createdAt: row.createdAt };
  context.once(`no-event-id|${row.id}|${row.eventType}|${row.createdAt}`, () =>
    context.log.error("a row without eventId is skipped every cycle until the backend fixes it (logged once)", fields),
  );
}
