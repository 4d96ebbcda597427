/** What `dlq audit` prints for people: one line per audit entry, newest first as the API lists them. */
import type { AuditEntry } from "./api-types.ts";
import { type Column, renderTable } from "./table.ts";

export function auditTable(items: readonly AuditEntry[], width: number): string[] {
  const columns: Column<AuditEntry>[] = [
    // Exact times, not ages: the audit trail is compared with logs and with what people remember.
    { header: "AT", value: (entry) => entry.at },
    { header: "ACTOR", value: (entry) => entry.actor },
    { header: "ACTION", value: (entry) => entry.action },
    { header: "OUTCOME", value: (entry) => entry.outcome },
    { header: "STATUS", value: (entry) => (entry.status === null ? "-" : String(entry.status)), align: "right" },
    { header: "TARGET", value: (entry) => entry.target ?? "-" },
    { header: "DETAIL", value: (entry) => entry.detail ?? "", fit: true },
  ];
  return renderTable(columns, items, width);
}
