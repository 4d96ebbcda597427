/**
 * deploy/grafana/hobom-event-processor.json imports into Grafana as shipped: a DS_PROMETHEUS
 * datasource input every panel and variable uses, a schema version, panels on the 24-column grid
 * that do not overlap, every query valid PromQL (checked by promtool), every variable it uses
 * defined, and a panel for each thing the operator watches. That its metric names exist in the
 * relay's real /metrics is test/integration/deploy/metric-names.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allPanels, dashboard, dashboardQueries, type Json, metricNamesIn, run } from "./deploy-files.ts";

const DATASOURCE = { type: "prometheus", uid: "${DS_PROMETHEUS}" };

let board: Json;
let scratch: string;

beforeAll(async () => {
  board = await dashboard();
  scratch = mkdtempSync(join(tmpdir(), "hobom-dashboard-"));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A query with Grafana's variables replaced as Grafana would: built-in intervals, each variable's "All" or its default. */
function substituted(expr: string): string {
  const values = new Map<string, string>((board.templating.list as Json[]).map((variable) => [variable.name, variable.allValue ?? variable.current.value]));
  return expr.replace(/\$__\w+/g, "5m").replace(/\$(\w+)/g, (whole, name: string) => values.get(name) ?? whole);
}

describe("deploy/grafana/hobom-event-processor.json", () => {
  test("is an importable dashboard with a DS_PROMETHEUS datasource input", () => {
    expect(board.__inputs).toEqual([expect.objectContaining({ name: "DS_PROMETHEUS", type: "datasource", pluginId: "prometheus" })]);
    expect(board.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(board.uid).toBe("hobom-event-processor");
    expect(board.title).toBeString();
    expect(board.id).toBeUndefined();
    const requiredPanels = new Set((board.__requires as Json[]).filter((entry) => entry.type === "panel").map((entry) => entry.id));
    for (const panel of allPanels(board))
      if (panel.type !== "row") expect(requiredPanels.has(panel.type), `__requires lacks panel type ${panel.type}`).toBe(true);
  });

  test("every panel, variable and query annotation reads the DS_PROMETHEUS datasource", () => {
    for (const panel of allPanels(board).filter((candidate) => candidate.type !== "row")) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target.datasource, panel.title).toEqual(DATASOURCE);
      expect(new Set(panel.targets.map((target: Json) => target.refId)).size, `${panel.title}: refIds repeat`).toBe(panel.targets.length);
    }
    for (const variable of board.templating.list) expect(variable.datasource, variable.name).toEqual(DATASOURCE);
    for (const annotation of board.annotations.list) if (annotation.expr) expect(annotation.datasource, annotation.name).toEqual(DATASOURCE);
  });

  test("panels have unique ids and sit on the 24-column grid without overlapping", () => {
    const panels = allPanels(board);
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    const taken = new Map<string, string>();
    for (const panel of panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x >= 0 && w > 0 && h > 0 && x + w <= 24, `${panel.title}: gridPos ${JSON.stringify(panel.gridPos)}`).toBe(true);
      for (let column = x; column < x + w; column++) {
        for (let row = y; row < y + h; row++) {
          const cell = `${column},${row}`;
          expect(taken.get(cell), `${panel.title} overlaps ${taken.get(cell)} at ${cell}`).toBeUndefined();
          taken.set(cell, panel.title);
        }
      }
    }
  });

  test("every variable a query uses is defined", () => {
    const defined = new Set((board.templating.list as Json[]).map((variable) => variable.name));
    for (const { where, expr } of dashboardQueries(board)) {
      for (const match of expr.matchAll(/\$(\w+)/g)) {
        const name = match[1] as string;
        if (!name.startsWith("__")) expect(defined.has(name), `${where} uses $${name}`).toBe(true);
      }
    }
  });

  test("every query is valid PromQL (promtool check rules)", async () => {
    const queries = dashboardQueries(board);
    const rules = {
      groups: [{ name: "dashboard", rules: queries.map((query, index) => ({ record: `dashboard_query_${index}`, expr: substituted(query.expr) })) }],
    };
    const file = join(scratch, "dashboard-queries.rules.yml");
    writeFileSync(file, JSON.stringify(rules));
    const result = await run(["promtool", "check", "rules", file]);
    expect(`${result.stdout}${result.stderr}`).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(result.code).toBe(0);
  });

  test("has a panel for each thing the operator watches", () => {
    const watched: Record<string, string[]> = {
      "throughput by pipeline and event": ["hobom_rows_total"],
      lag: ["hobom_oldest_pending_row_age_seconds"],
      "publish latency": ["hobom_publish_duration_seconds_bucket"],
      breaker: ["hobom_kafka_breaker_open"],
      "partitions unavailable": ["hobom_kafka_partitions_unavailable"],
      ownership: ["hobom_pipeline_owned"],
      "DLQ size, age and expiring": ["hobom_dlq_entries", "hobom_dlq_oldest_entry_age_seconds", "hobom_dlq_entries_expiring_soon"],
      "dependency up and errors": ["hobom_dependency_up", "hobom_dependency_errors_total"],
      "outbox backlog": ["hobom_outbox_pending_rows", "hobom_outbox_oldest_pending_age_seconds"],
      "process CPU, RSS and event-loop lag": ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_eventloop_lag_p99_seconds"],
    };
    const used = new Set(
      allPanels(board)
        .flatMap((panel) => (panel.targets as Json[] | undefined) ?? [])
        .flatMap((target) => metricNamesIn(target.expr)),
    );
    for (const [what, names] of Object.entries(watched)) for (const name of names) expect(used.has(name), `${what}: no panel reads ${name}`).toBe(true);
    const publish = allPanels(board).find((panel) => panel.targets?.some((target: Json) => target.expr.includes("hobom_publish_duration_seconds_bucket")));
    expect(publish.targets.map((target: Json) => /histogram_quantile\(([\d.]+),/.exec(target.expr)?.[1])).toEqual(["0.5", "0.99"]);
  });
});

describe("metricNamesIn", () => {
  test("finds the metrics of a query, not its functions, labels, keywords, numbers or variables", () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (pipeline, le) (rate(hobom_publish_duration_seconds_bucket{job="$job", le=~"1e3"}[$__rate_interval]))) > 1e9 and on (pipeline) up offset 5m',
      ),
    ).toEqual(["hobom_publish_duration_seconds_bucket", "up"]);
    expect(metricNamesIn('count(max by (pipeline) (hobom_pipeline_owned{job="x"}) == 0) or vector(0)')).toEqual(["hobom_pipeline_owned"]);
    expect(metricNamesIn("sum(rate(a_total[5m])) without (instance) / ignoring (x) group_left (y) b")).toEqual(["a_total", "b"]);
  });
});
