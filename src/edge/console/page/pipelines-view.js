// The pipelines and what they depend on: which this instance runs and how they fare
// (GET /pipelines), and every dependency's status with its last error (GET /health).
import { el, heading, replace } from "./dom.js";
import { orDash, stateWord, timeCell } from "./format.js";
import { errorBox } from "./notice.js";
import { dataTable } from "./table.js";

const PIPELINE_COLUMNS = [
  { label: "Pipeline", cell: (row) => el("strong", {}, row.name) },
  { label: "Source", cell: (row) => orDash(row.source) },
  { label: "Sink", cell: (row) => orDash(row.sink) },
  { label: "Declared in", cell: (row) => orDash(row.declared) },
  { label: "State here", cell: (row) => stateWord(row.state) },
  { label: "Health", cell: (row) => [stateWord(row.health), row.lastError ? el("p", { class: "hint" }, row.lastError) : null] },
  { label: "DLQ prefix", cell: (row) => el("code", {}, orDash(row.dlqPrefix)) },
  {
    label: "DLQ entries",
    number: true,
    cell: (row) =>
      el(
        "a",
        {
          href: `#/dlq?pipeline=${encodeURIComponent(row.name)}`,
          "aria-label": `${row.dlqEntries} DLQ ${row.dlqEntries === 1 ? "entry" : "entries"} of ${row.name}`,
        },
        orDash(row.dlqEntries),
      ),
  },
];

const COMPONENT_COLUMNS = [
  { label: "Dependency", cell: (row) => el("strong", {}, row.name) },
  { label: "Status", cell: (row) => stateWord(row.status) },
  { label: "Down since", cell: (row) => timeCell(row.since) },
  { label: "Last error", cell: (row) => orDash(row.error) },
  { label: "Answered in", number: true, cell: (row) => (row.latencyMs === undefined ? "—" : `${row.latencyMs} ms`) },
];

export async function renderPipelines(context) {
  const { api, container } = context;
  context.title("Pipelines");
  const pipelinesPart = el("section", { "aria-busy": "true" }, el("p", {}, "Loading the pipelines…"));
  const healthPart = el("section", { "aria-busy": "true" }, el("h2", {}, "Dependencies"), el("p", {}, "Checking the dependencies…"));
  replace(container, heading("Pipelines"), pipelinesPart, healthPart);

  const [pipelines, health] = await Promise.allSettled([api.pipelines(), api.health()]);
  // A refused key stops the view: the key form takes its place.
  for (const result of [pipelines, health]) if (result.status === "rejected" && result.reason?.status === 401) throw result.reason;

  pipelinesPart.removeAttribute("aria-busy");
  if (pipelines.status === "fulfilled") {
    const { instance, pipelines: rows } = pipelines.value.body;
    replace(
      pipelinesPart,
      el(
        "p",
        {},
        "Instance ",
        el("code", {}, orDash(instance)),
        ". “State here”: owned (this instance runs it), standby (another does), shared (every instance does).",
      ),
      dataTable({ caption: "Pipelines", columns: PIPELINE_COLUMNS, rows, empty: "No pipeline is configured." }),
    );
  } else {
    replace(pipelinesPart, errorBox(pipelines.reason, "Reading the pipelines failed"));
  }

  healthPart.removeAttribute("aria-busy");
  if (health.status === "fulfilled") {
    const report = health.value.body;
    const rows = Object.entries(report.components ?? {}).map(([name, component]) => ({ name, ...component }));
    replace(
      healthPart,
      el("h2", {}, "Dependencies"),
      el("p", {}, "Overall: ", stateWord(report.status), ` (GET /health answered ${health.value.status}).`),
      dataTable({ caption: "Dependencies", columns: COMPONENT_COLUMNS, rows, empty: "No dependency is checked." }),
    );
  } else {
    replace(healthPart, el("h2", {}, "Dependencies"), errorBox(health.reason, "Reading /health failed"));
  }
}
