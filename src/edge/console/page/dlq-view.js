// The DLQ entries, filtered and paged (GET /dlq/entries): each with why and when it failed, a
// link to open it, and the way to retry everything a filter matches.
import { el, heading, replace } from "./dom.js";
import { describeFilters, filterFields, filtersFrom, filtersOf, viewHash } from "./filters.js";
import { orDash, timeCell } from "./format.js";
import { errorBox } from "./notice.js";
import { dataTable } from "./table.js";

const PAGE_SIZES = ["25", "100", "500"];
const DEFAULT_PAGE_SIZE = "100";

/** The page size the address asks for (1 to 500, what the API takes), else the default. */
function pageSize(query) {
  const asked = query.get("limit") ?? "";
  return /^[0-9]{1,3}$/.test(asked) && Number(asked) >= 1 && Number(asked) <= 500 ? String(Number(asked)) : DEFAULT_PAGE_SIZE;
}

/** The link that opens an entry. */
export function entryLink(key) {
  return el("a", { href: `#/entry/${encodeURIComponent(key)}`, class: "key" }, key);
}

/** The columns an entry summary (of /dlq/entries or a dry run) is shown with. */
export const ENTRY_COLUMNS = [
  { label: "Key", cell: (row) => entryLink(row.key) },
  { label: "Pipeline", cell: (row) => orDash(row.pipeline) },
  { label: "Event type", cell: (row) => orDash(row.eventType) },
  { label: "Reason", cell: (row) => row.reason ?? el("span", { class: "hint" }, "none recorded (written by the Go processor)") },
  { label: "Attempts", number: true, cell: (row) => orDash(row.attempts) },
  { label: "Last failure", cell: (row) => timeCell(row.lastFailedAt) },
  { label: "Expires", cell: (row) => timeCell(row.expiresAt) },
  { label: "Replayable", cell: (row) => (row.replayable ? "yes" : "no") },
];

export async function renderDlq(context) {
  const { api, container, query } = context;
  context.title("Dead letters");
  const filters = filtersFrom(query);
  const limit = pageSize(query);
  const sizes = PAGE_SIZES.includes(limit) ? PAGE_SIZES : [limit, ...PAGE_SIZES].sort((a, b) => Number(a) - Number(b));
  const cursor = query.get("cursor") || undefined;

  const fields = filterFields(filters, []);
  const form = el(
    "form",
    {
      role: "search",
      "aria-label": "Filter the DLQ entries",
      on: {
        submit(event) {
          event.preventDefault();
          context.navigate(viewHash("dlq", filtersOf(form), { limit: new FormData(form).get("limit") }));
        },
      },
    },
    fields,
    el(
      "div",
      { class: "actions" },
      el("label", { for: "page-size" }, "Entries per page"),
      el(
        "select",
        { id: "page-size", name: "limit" },
        sizes.map((size) => el("option", { value: size, selected: size === limit }, size)),
      ),
      el("button", { type: "submit" }, "Search"),
      el("a", { href: "#/dlq" }, "Clear the filters"),
    ),
  );
  const results = el("section", { "aria-busy": "true", "aria-label": "Matching entries" }, el("p", {}, "Loading the entries…"));
  replace(container, heading("Dead letters"), form, results);

  // The pipelines' names help fill in the filter; without them the field still takes any name.
  api.pipelines().then(
    ({ body }) => {
      const names = (body.pipelines ?? []).map((pipeline) => pipeline.name);
      replace(
        fields.querySelector("datalist"),
        names.map((name) => el("option", { value: name })),
      );
    },
    () => {},
  );

  let page;
  try {
    page = (await api.entries({ ...filters, limit, cursor })).body;
  } catch (error) {
    if (error?.status === 401) throw error;
    results.removeAttribute("aria-busy");
    replace(results, errorBox(error, "Listing the entries failed"));
    return;
  }
  results.removeAttribute("aria-busy");
  const paging = el(
    "nav",
    { "aria-label": "Pages of entries", class: "actions" },
    cursor ? el("a", { href: viewHash("dlq", filters, { limit }) }, "First page") : null,
    page.nextCursor ? el("a", { href: viewHash("dlq", filters, { limit, cursor: page.nextCursor }) }, "Next page") : null,
  );
  const bulk = filters.pipeline
    ? el("p", {}, el("a", { href: viewHash("bulk", filters) }, "Retry the matching entries…"), " (a dry run first: nothing changes until you confirm)")
    : el("p", { class: "hint" }, "To retry entries in bulk, filter by pipeline first.");
  replace(
    results,
    el(
      "p",
      { class: "summary" },
      `${page.matched} ${page.matched === 1 ? "entry matches" : "entries match"} (${describeFilters(filters)}); this page shows ${page.items.length}.`,
    ),
    dataTable({ caption: "DLQ entries", columns: ENTRY_COLUMNS, rows: page.items, empty: "No entry matches these filters." }),
    paging,
    bulk,
  );
}
