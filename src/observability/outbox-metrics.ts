/** What outbox tables report of themselves (the sql-outbox source's upkeep), as Prometheus series. */
import { Counter, Gauge, type Registry } from "prom-client";
import type { OutboxReport } from "../sources/sql-outbox/upkeep.ts";

export function createOutboxMetrics(registry: Registry): OutboxReport {
  const pending = new Gauge({
    name: "hobom_outbox_pending_rows",
    help: "Rows of an outbox table waiting to be delivered, by pipeline and aggregate type.",
    labelNames: ["pipeline", "aggregatetype"] as const,
    registers: [registry],
  });
  const oldest = new Gauge({
    name: "hobom_outbox_oldest_pending_age_seconds",
    help: "Age of the oldest row of an outbox table waiting to be delivered, by pipeline and aggregate type.",
    labelNames: ["pipeline", "aggregatetype"] as const,
    registers: [registry],
  });
  const deleted = new Counter({
    name: "hobom_outbox_rows_deleted_total",
    help: "Processed rows the retention deleted from an outbox table, by pipeline.",
    labelNames: ["pipeline"] as const,
    registers: [registry],
  });
  const reported = new Map<string, Set<string>>();
  return {
    backlog(pipeline, backlog) {
      // An aggregate type whose backlog emptied disappears rather than keeping its last value.
      const now = Date.now();
      const current = new Set(backlog.map((row) => row.aggregatetype));
      for (const aggregatetype of reported.get(pipeline) ?? []) {
        if (current.has(aggregatetype)) continue;
        pending.remove({ pipeline, aggregatetype });
        oldest.remove({ pipeline, aggregatetype });
      }
      reported.set(pipeline, current);
      for (const row of backlog) {
        pending.set({ pipeline, aggregatetype: row.aggregatetype }, row.pending);
        oldest.set({ pipeline, aggregatetype: row.aggregatetype }, Math.max(0, (now - row.oldestAt) / 1000));
      }
    },
    deleted(pipeline, rows) {
      deleted.inc({ pipeline }, rows);
    },
  };
}
