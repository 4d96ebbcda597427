/**
 * The shipped operations files of deploy/ as the tests read them: the alert rules, the Grafana
 * dashboard and every PromQL query in them, the metric names those queries use, and the metric
 * names a relay's /metrics serves.
 */
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../../..");
export const RULES_FILE = resolve(ROOT, "deploy/prometheus/hobom-event-processor.rules.yml");
export const RULES_TEST_FILE = resolve(ROOT, "deploy/prometheus/hobom-event-processor.rules.test.yml");
export const DASHBOARD_FILE = resolve(ROOT, "deploy/grafana/hobom-event-processor.json");

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export async function alertRules(): Promise<AlertRule[]> {
  const document = Bun.YAML.parse(await Bun.file(RULES_FILE).text()) as { groups: { rules: AlertRule[] }[] };
  return document.groups.flatMap((group) => group.rules);
}

// biome-ignore lint/suspicious/noExplicitAny: a dashboard is free-form JSON; the tests check its shape field by field
export type Json = any;

export async function dashboard(): Promise<Json> {
  return JSON.parse(await Bun.file(DASHBOARD_FILE).text());
}

/** Every panel, those inside rows included. */
export function allPanels(board: Json): Json[] {
  return (board.panels as Json[]).flatMap((panel) => [panel, ...((panel.panels as Json[] | undefined) ?? [])]);
}

/** Every PromQL query of the dashboard, with where it is: panel targets, annotations, variables. */
export function dashboardQueries(board: Json): { where: string; expr: string }[] {
  const queries: { where: string; expr: string }[] = [];
  for (const panel of allPanels(board)) {
    for (const target of (panel.targets as Json[] | undefined) ?? []) queries.push({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr });
  }
  for (const annotation of board.annotations.list as Json[])
    if (annotation.expr) queries.push({ where: `annotation "${annotation.name}"`, expr: annotation.expr });
  for (const variable of board.templating.list as Json[]) {
    const query: string = typeof variable.query === "string" ? variable.query : variable.query.query;
    // label_values(<series selector>, label): the selector is PromQL.
    const selector = /^label_values\((.*),\s*\w+\)$/.exec(query)?.[1] ?? /^query_result\((.*)\)$/.exec(query)?.[1];
    if (selector !== undefined) queries.push({ where: `variable $${variable.name}`, expr: selector });
  }
  return queries;
}

const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "atan2", "inf", "nan"]);

/**
 * The metric names a PromQL expression reads (Grafana's `$variables` allowed): identifiers that
 * are not functions, keywords, label names, numbers or durations.
 */
export function metricNamesIn(expr: string): string[] {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\$\{?\w+\}?/g, " ");
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\s*\(/.test(text.slice((match.index ?? 0) + name.length))) continue;
    names.add(name);
  }
  return [...names].sort();
}

/** Series Prometheus itself writes for every target; no relay serves them. */
export const PROMETHEUS_SERIES = new Set(["up"]);

/** The metric names the alert rules and the dashboard read, each with where it is read. */
export async function metricNamesUsed(): Promise<Map<string, string[]>> {
  const used = new Map<string, string[]>();
  const add = (where: string, expr: string) => {
    for (const name of metricNamesIn(expr)) used.set(name, [...(used.get(name) ?? []), where]);
  };
  for (const rule of await alertRules()) add(`alert ${rule.alert}`, rule.expr);
  for (const { where, expr } of dashboardQueries(await dashboard())) add(`dashboard ${where}`, expr);
  return used;
}

/** The series names a Prometheus text exposition serves: every family, with a histogram's or summary's own series. */
export function servedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split("\n")) {
    const typed = /^# TYPE (\S+) (\w+)$/.exec(line);
    if (typed) {
      const [, name, type] = typed as unknown as [string, string, string];
      names.add(name);
      if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
      if (type === "summary") for (const suffix of ["_sum", "_count"]) names.add(name + suffix);
    } else if (line !== "" && !line.startsWith("#")) {
      names.add(line.split(/[{ ]/)[0] as string);
    }
  }
  return names;
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of every heading of a Markdown file. */
export async function anchorsOf(path: string): Promise<Set<string>> {
  const text = await Bun.file(path).text();
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => headingAnchor(match[1] as string)));
}

/** Runs a command to its end: exit code and both outputs. */
export async function run(
  cmd: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn(cmd, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}
