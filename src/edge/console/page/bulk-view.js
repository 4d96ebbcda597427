// Retrying every entry a filter matches: a dry run first (what would be retried, nothing
// changed), then, confirmed, a job on the service whose progress the job page follows.
import { confirmAction } from "./confirm.js";
import { ENTRY_COLUMNS } from "./dlq-view.js";
import { el, field, heading, replace } from "./dom.js";
import { describeFilters, filtersFrom, viewHash } from "./filters.js";
import { errorBox } from "./notice.js";
import { dataTable } from "./table.js";

const DEFAULT_LIMIT = "1000";
const DEFAULT_RATE = "20";

export async function renderBulk(context) {
  const { api, container, query } = context;
  context.title("Retry in bulk");
  const filters = filtersFrom(query);
  const scope = el(
    "p",
    {},
    "Entries that match: ",
    el("strong", {}, describeFilters(filters)),
    ". ",
    el("a", { href: viewHash("dlq", filters) }, "Change the filters"),
  );
  if (!filters.pipeline) {
    replace(container, heading("Retry in bulk"), scope, el("p", {}, "A bulk retry needs a pipeline: choose one in the filters of the dead letters."));
    return;
  }

  const result = el("section", { "aria-live": "polite", "aria-label": "Dry run" });
  const form = el(
    "form",
    {
      "aria-label": "Bulk retry options",
      on: {
        submit(event) {
          event.preventDefault();
          dryRun(options());
        },
        // Changed options make the last dry run stale: it must be run again before a retry.
        input: () => replace(result, el("p", { class: "hint" }, "The options changed: run the dry run again.")),
      },
    },
    el(
      "fieldset",
      { class: "fields" },
      el("legend", { class: "hint" }, "Options"),
      field({
        id: "bulk-limit",
        name: "limit",
        label: "At most this many entries",
        type: "number",
        min: "1",
        max: "10000",
        value: DEFAULT_LIMIT,
        required: true,
      }),
      field({
        id: "bulk-rate",
        name: "ratePerSecond",
        label: "Retries per second",
        type: "number",
        min: "1",
        max: "1000",
        value: DEFAULT_RATE,
        required: true,
      }),
    ),
    el("div", { class: "actions" }, el("button", { type: "submit" }, "Dry run")),
  );
  replace(
    container,
    heading("Retry in bulk"),
    scope,
    el("p", {}, "The dry run shows what would be retried and changes nothing. The retry itself runs on the service as a job; its page shows the progress."),
    form,
    result,
  );

  function options() {
    const data = new FormData(form);
    return { limit: String(data.get("limit")), ratePerSecond: String(data.get("ratePerSecond")) };
  }

  async function dryRun(chosen) {
    replace(result, el("p", {}, "Running the dry run…"));
    let answer;
    try {
      answer = (await api.bulkRetry({ ...filters, limit: chosen.limit, dryRun: "true" })).body;
    } catch (error) {
      if (error?.status === 401) return context.fail(error);
      replace(result, errorBox(error, "The dry run failed"));
      return;
    }
    const shown = answer.items.length < answer.matched ? ` (the first ${answer.items.length} are listed)` : "";
    const start = el(
      "button",
      { type: "button", on: { click: () => startJob(chosen, answer.matched) } },
      `Retry ${answer.matched} ${answer.matched === 1 ? "entry" : "entries"}…`,
    );
    replace(
      result,
      el("h2", {}, "Dry run"),
      el("p", { class: "summary" }, `${answer.matched} ${answer.matched === 1 ? "entry" : "entries"} would be retried${shown}. Nothing was changed.`),
      dataTable({ caption: "Entries the retry would take", columns: ENTRY_COLUMNS, rows: answer.items, empty: "No entry matches: there is nothing to retry." }),
      answer.matched > 0 ? el("div", { class: "actions" }, start) : null,
    );
  }

  async function startJob(chosen, matched) {
    const confirmed = await confirmAction({
      title: `Retry ${matched} ${matched === 1 ? "entry" : "entries"}?`,
      message: `Every entry matching these filters when the job starts (at most ${chosen.limit}) is retried, ${chosen.ratePerSecond} per second. Entries whose retry fails stay in the DLQ.`,
      target: describeFilters(filters),
      confirmLabel: "Start the retry",
    });
    if (!confirmed) return;
    try {
      const { body } = await api.bulkRetry({ ...filters, ...chosen });
      context.navigate(`#/jobs/${encodeURIComponent(body.job.id)}`);
    } catch (error) {
      if (error?.status === 401) return context.fail(error);
      result.append(errorBox(error, "Starting the retry failed"));
    }
  }
}
