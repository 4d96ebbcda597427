// The DLQ filters, as the API names them (GET /dlq/entries and the bulk retry take the same),
// read from and written to the console's address so that a filtered view can be bookmarked or
// shared (the address never holds the key).
import { el, field } from "./dom.js";

/** Durations the API takes for olderThan and newerThan. */
export const AGE_PATTERN = "[0-9]+[smhd]";

export const FILTERS = [
  { name: "pipeline", label: "Pipeline", hint: "its name, as on the Pipelines page", list: "pipeline-names", describe: (value) => `pipeline ${value}` },
  { name: "reason", label: "Reason contains", hint: "any part of the failure reason; case does not matter", describe: (value) => `reason contains “${value}”` },
  { name: "eventType", label: "Event type", hint: "exactly, e.g. MESSAGE", describe: (value) => `event type ${value}` },
  { name: "olderThan", label: "Failed more than … ago", hint: "e.g. 30m, 2h, 7d", pattern: AGE_PATTERN, describe: (value) => `failed more than ${value} ago` },
  { name: "newerThan", label: "Failed less than … ago", hint: "e.g. 15m, 1d", pattern: AGE_PATTERN, describe: (value) => `failed less than ${value} ago` },
];

/** The filters set in `query` (a URLSearchParams), empty ones left out. */
export function filtersFrom(query) {
  const filters = {};
  for (const { name } of FILTERS) {
    const value = query.get(name)?.trim();
    if (value) filters[name] = value;
  }
  return filters;
}

/** `#/<view>?pipeline=…&…` for these filters and extra parameters. */
export function viewHash(view, ...parts) {
  const query = new URLSearchParams();
  for (const part of parts) for (const [name, value] of Object.entries(part)) if (value !== undefined && value !== "") query.set(name, value);
  const text = query.toString();
  return `#/${view}${text ? `?${text}` : ""}`;
}

/** "pipeline message, reason contains “timeout”" (or "no filter"). */
export function describeFilters(filters) {
  const parts = FILTERS.filter(({ name }) => filters[name]).map(({ name, describe }) => describe(filters[name]));
  return parts.length > 0 ? parts.join(", ") : "no filter";
}

/** The filter fields, filled from `filters`, and a datalist of the pipelines' names. */
export function filterFields(filters, pipelineNames) {
  return el(
    "fieldset",
    { class: "fields" },
    el("legend", { class: "hint" }, "Filters (all optional)"),
    FILTERS.map(({ name, label, hint, pattern, list }) =>
      field({ id: `filter-${name}`, name, label, hint, value: filters[name] ?? "", pattern, list, autocomplete: "off", spellcheck: "false" }),
    ),
    el(
      "datalist",
      { id: "pipeline-names" },
      pipelineNames.map((name) => el("option", { value: name })),
    ),
  );
}

/** The filters a filter form holds now. */
export function filtersOf(form) {
  return filtersFrom(new URLSearchParams([...new FormData(form)].map(([name, value]) => [name, String(value)])));
}
