/**
 * A batch's events, a slice at a time, as the cycle takes them: each event once (a source that
 * hands one over twice must not get it delivered twice), none without an id (it could be neither
 * settled nor dead-lettered: reported once, for the source to fix), and the age of the oldest one
 * reported after every slice (sources hand the oldest first, so the first slice tells the lag).
 */
import type { Logger } from "../observability/logger.ts";
import type { RelayMetrics } from "./metrics.ts";
import type { Once } from "./once.ts";
import type { SourceBatch, SourceEvent } from "./ports.ts";

export interface SliceContext {
  readonly pipeline: { readonly name: string };
  readonly log: Logger;
  readonly metrics: RelayMetrics;
  readonly once: Once;
  readonly now: () => Date;
}

export function* readSlices(context: SliceContext, batch: SourceBatch, size: number): Generator<SourceEvent[]> {
  const seen = new Set<string>();
  let oldest = Number.POSITIVE_INFINITY;
  const reportLag = () => {
    const seconds = Number.isFinite(oldest) ? Math.max(0, (context.now().getTime() - oldest) / 1000) : 0;
    context.metrics.oldestRowAge(context.pipeline.name, seconds);
  };
  for (const slice of batch.slices(size)) {
    const kept: SourceEvent[] = [];
    for (const event of slice) {
      if (event.createdAt < oldest) oldest = event.createdAt;
      if (event.id === "") reportUnaddressable(context, event);
      else if (seen.has(event.id)) context.log.debug("the source handed this event over twice; it is handled once", { eventId: event.id });
      else {
        seen.add(event.id);
        kept.push(event);
      }
    }
    reportLag();
    if (kept.length > 0) yield kept;
  }
  reportLag();
}

function reportUnaddressable(context: SliceContext, event: SourceEvent): void {
  const rowId = String(event.record.id ?? "");
  const createdAt = String(event.record.createdAt ?? "");
  context.once(`no-event-id|${rowId}|${event.type}|${createdAt}`, () =>
    context.log.error("a row without eventId is skipped every cycle until the backend fixes it (logged once)", { id: rowId, eventType: event.type, createdAt }),
  );
}
