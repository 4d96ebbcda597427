// Bulk retry jobs: the last ones started (GET /dlq/jobs), and one job's progress
// (GET /dlq/jobs/:id), followed every second while it runs, with a way to cancel it.
import { confirmAction } from "./confirm.js";
import { el, heading, replace } from "./dom.js";
import { orDash, stateWord, timeCell } from "./format.js";
import { answerBox, errorBox } from "./notice.js";
import { dataTable } from "./table.js";

const POLL_MS = 1000;

const jobLink = (id) => el("a", { href: `#/jobs/${encodeURIComponent(id)}` }, el("code", {}, id));
const counts = (job) => `${job.done} done, ${job.failed} failed, ${job.remaining} remaining of ${job.total}`;
const filtersText = (filters) =>
  Object.entries(filters ?? {})
    .map(([name, value]) => `${name}=${value}`)
    .join(", ") || "—";

const JOB_COLUMNS = [
  { label: "Job", cell: (job) => jobLink(job.id) },
  { label: "State", cell: (job) => stateWord(job.state) },
  { label: "Started by", cell: (job) => orDash(job.actor) },
  { label: "Started", cell: (job) => timeCell(job.createdAt) },
  { label: "Finished", cell: (job) => timeCell(job.finishedAt) },
  { label: "Filters", cell: (job) => filtersText(job.filters) },
  { label: "Progress", cell: (job) => counts(job) },
];

const ITEM_COLUMNS = [
  { label: "Key", cell: (item) => el("code", { class: "key" }, item.key) },
  { label: "Status", number: true, cell: (item) => orDash(item.status) },
  { label: "Outcome", cell: (item) => stateWord(item.outcome) },
  { label: "Published", cell: (item) => (item.published === undefined ? "—" : item.published ? "yes" : "no") },
  { label: "Error", cell: (item) => (item.error ? [el("strong", {}, item.error), item.detail ? el("p", { class: "hint" }, item.detail) : null] : "—") },
];

export async function renderJobs(context) {
  const { api, container } = context;
  context.title("Bulk retries");
  const list = el("section", { "aria-busy": "true" }, el("p", {}, "Loading the jobs…"));
  replace(
    container,
    heading("Bulk retries"),
    el("p", {}, "The last bulk retries started on any instance, newest first. Start one from the dead letters, filtered by pipeline."),
    list,
  );
  const { body } = await api.jobs();
  list.removeAttribute("aria-busy");
  replace(
    list,
    dataTable({ caption: "Bulk retry jobs", columns: JOB_COLUMNS, rows: body.items ?? [], empty: "No bulk retry has been started in the last 7 days." }),
  );
}

export async function renderJob(context) {
  const { api, container } = context;
  const id = context.params[0];
  context.title("Bulk retry");
  const state = el("p", { role: "status" });
  const progress = el("progress", { "aria-label": "Entries retried so far" });
  const progressText = el("p", {});
  const details = el("div", {});
  const answer = el("div", { class: "answer", "aria-live": "polite" });
  const cancel = el("button", { type: "button", class: "danger", hidden: true, on: { click: () => cancelJob() } }, "Cancel the job");
  replace(
    container,
    heading("Bulk retry"),
    el("p", {}, "Job ", el("code", {}, id)),
    state,
    progress,
    progressText,
    el("div", { class: "actions" }, cancel),
    answer,
    details,
  );

  let lastState;
  const show = (job, status) => {
    // The state line is a live region: rewritten only when the state changes, it is announced once.
    if (job.state !== lastState) replace(state, "State: ", stateWord(job.state), ` (HTTP ${status})`);
    lastState = job.state;
    progress.max = Math.max(job.total, 1);
    progress.value = job.done + job.failed;
    replace(progressText, counts(job));
    cancel.hidden = job.state !== "running";
    replace(
      details,
      el(
        "dl",
        { class: "meta" },
        [
          ["Started by", orDash(job.actor)],
          ["Started", timeCell(job.createdAt)],
          ["Finished", timeCell(job.finishedAt)],
          ["Filters", filtersText(job.filters)],
        ].map(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]),
      ),
      dataTable({ caption: "Entries retried", columns: ITEM_COLUMNS, rows: job.items ?? [], empty: "No entry retried yet." }),
    );
  };

  async function cancelJob() {
    const confirmed = await confirmAction({
      title: "Cancel this job?",
      message: "Entries not retried yet stay in the DLQ; those already retried stay retried.",
      target: id,
      confirmLabel: "Cancel the job",
    });
    if (!confirmed) return;
    try {
      const { body } = await api.cancelJob(id);
      replace(answer, answerBox("The job was cancelled.", body));
    } catch (error) {
      if (error?.status === 401) return context.fail(error);
      replace(answer, errorBox(error, "Cancelling the job failed"));
    }
  }

  const trouble = el("div", { "aria-live": "polite" });
  details.before(trouble);
  for (let first = true; ; first = false) {
    let read;
    try {
      read = await api.job(id);
      replace(trouble);
    } catch (error) {
      // The first read must work (an unknown job, a refused key: nothing to follow); a later
      // one that fails (a restart, a network blip) is shown and tried again.
      if (first || error?.status === 401 || error?.status === 404) throw error;
      replace(trouble, errorBox(error, `Reading the job failed; trying again every ${POLL_MS / 1000} s`));
    }
    if (!context.isCurrent()) return;
    if (read) {
      show(read.body, read.status);
      if (read.body.state !== "running") return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!context.isCurrent()) return;
  }
}
