// The audit trail (GET /audit): who changed what in the DLQ, when, and how it ended, newest
// first, including refused api keys.
import { el, heading, replace } from "./dom.js";
import { viewHash } from "./filters.js";
import { orDash, stateWord, timeCell } from "./format.js";
import { dataTable } from "./table.js";

const PAGE_SIZE = "100";

/** What an action was done to: a bulk retry's job links to its page; an entry's key is shown (it may be gone). */
function target(row) {
  if (!row.target) return "—";
  const aboutJob = row.action === "dlq.bulk-retry" || row.action === "dlq.job.cancel";
  if (aboutJob && row.target.startsWith("j-")) return el("a", { href: `#/jobs/${encodeURIComponent(row.target)}` }, el("code", {}, row.target));
  return el("code", { class: "key" }, row.target);
}

const AUDIT_COLUMNS = [
  { label: "When", cell: (row) => timeCell(row.at) },
  { label: "Who", cell: (row) => orDash(row.actor) },
  { label: "Action", cell: (row) => el("code", { class: "action" }, orDash(row.action)) },
  { label: "Target", cell: (row) => target(row) },
  { label: "Outcome", cell: (row) => stateWord(row.outcome) },
  { label: "Status", number: true, cell: (row) => orDash(row.status) },
  { label: "Detail", cell: (row) => orDash(row.detail) },
];

export async function renderAudit(context) {
  const { api, container, query } = context;
  context.title("Audit trail");
  const before = query.get("before") || undefined;
  const list = el("section", { "aria-busy": "true" }, el("p", {}, "Loading the audit trail…"));
  replace(
    container,
    heading("Audit trail"),
    el("p", {}, "Every retry, delete and bulk retry, and every refused api key, newest first. Who: the api key's name, or its fingerprint; never the key."),
    list,
  );
  const { body } = await api.audit({ limit: PAGE_SIZE, before });
  list.removeAttribute("aria-busy");
  replace(
    list,
    dataTable({
      caption: before ? "Audit entries (older page)" : "Audit entries (newest)",
      columns: AUDIT_COLUMNS,
      rows: body.items ?? [],
      empty: "Nothing audited yet.",
    }),
    el(
      "nav",
      { class: "actions", "aria-label": "Pages of the audit trail" },
      before ? el("a", { href: "#/audit" }, "Newest entries") : null,
      body.nextBefore ? el("a", { href: viewHash("audit", { before: body.nextBefore }) }, "Older entries") : null,
    ),
  );
}
