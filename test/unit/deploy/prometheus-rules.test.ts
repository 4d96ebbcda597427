/**
 * deploy/prometheus: the alert rules pass `promtool check rules`, their unit tests pass
 * `promtool test rules`, and those unit tests fire every alert and keep every one silent on a
 * healthy pair of instances — shown by breaking each alert in a copy of the rules and watching
 * the unit tests fail. promtool comes from Debian's `prometheus` package (.ci/run installs it).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type AlertRule, alertRules, anchorsOf, ROOT, RULES_FILE, RULES_TEST_FILE, run } from "./deploy-files.ts";

const HEALTHY_TEST = "a healthy pair of instances fires nothing";

interface RuleTest {
  readonly name: string;
  readonly alert_rule_test: { alertname: string; exp_alerts: unknown[] }[];
}

let rules: AlertRule[];
let ruleTests: RuleTest[];
let scratch: string;

beforeAll(async () => {
  const promtool = Bun.which("promtool");
  if (!promtool) {
    throw new Error("promtool is not installed: `apt-get install -y --no-install-recommends prometheus` (Debian's package; .ci/run installs it)");
  }
  rules = await alertRules();
  ruleTests = (Bun.YAML.parse(await Bun.file(RULES_TEST_FILE).text()) as { tests: RuleTest[] }).tests;
  scratch = mkdtempSync(join(tmpdir(), "hobom-rules-"));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** `promtool test rules` on the shipped unit tests, against `rulesText` in place of the shipped rules. */
async function testRulesWith(rulesText: string) {
  const dir = mkdtempSync(join(scratch, "case-"));
  writeFileSync(join(dir, "hobom-event-processor.rules.yml"), rulesText);
  copyFileSync(RULES_TEST_FILE, join(dir, "hobom-event-processor.rules.test.yml"));
  return run(["promtool", "test", "rules", "hobom-event-processor.rules.test.yml"], { cwd: dir });
}

/** The shipped rules with one alert's expression replaced. */
async function withExpr(alert: string, expr: string): Promise<string> {
  const text = await Bun.file(RULES_FILE).text();
  const document = Bun.YAML.parse(text) as { groups: { rules: AlertRule[] }[] };
  for (const group of document.groups) for (const rule of group.rules) if (rule.alert === alert) Object.assign(rule, { expr });
  return JSON.stringify(document);
}

/** Ten runs of promtool, a few at a time; a bare `bun test` would stop them at its 5 s default. */
const MUTATION_TIMEOUT_MS = 60_000;

/** The unit tests' outcome with each alert's expression replaced in turn by `expr`, by alert. */
async function eachAlertWith(expr: string): Promise<Map<string, Awaited<ReturnType<typeof run>>>> {
  const results = new Map<string, Awaited<ReturnType<typeof run>>>();
  const queue = rules.map((rule) => rule.alert);
  const worker = async () => {
    for (let alert = queue.shift(); alert !== undefined; alert = queue.shift()) results.set(alert, await testRulesWith(await withExpr(alert, expr)));
  };
  await Promise.all([worker(), worker(), worker()]);
  return results;
}

describe("deploy/prometheus/hobom-event-processor.rules.yml", () => {
  test("passes promtool check rules", async () => {
    const result = await run(["promtool", "check", "rules", RULES_FILE]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  test("passes its unit tests (promtool test rules)", async () => {
    const result = await run(["promtool", "test", "rules", "hobom-event-processor.rules.test.yml"], { cwd: resolve(ROOT, "deploy/prometheus") });
    expect(`${result.stdout}${result.stderr}`).toContain("SUCCESS");
    expect(result.code).toBe(0);
  });

  test("every rule is an alert with a for, a severity, a summary, a description and a README section", async () => {
    const anchors = await anchorsOf(resolve(ROOT, "README.md"));
    expect(rules.length).toBeGreaterThanOrEqual(10);
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^HoBomRelay[A-Z]\w+$/);
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(["critical", "warning"], rule.alert).toContain(rule.labels?.severity as string);
      expect(rule.annotations?.summary?.length ?? 0, rule.alert).toBeGreaterThan(10);
      expect(rule.annotations?.description?.length ?? 0, rule.alert).toBeGreaterThan(80);
      const runbook = rule.annotations?.runbook ?? "";
      expect(runbook, rule.alert).toStartWith("README.md#");
      expect(anchors.has(runbook.slice("README.md#".length)), `${rule.alert}: ${runbook} is no heading of README.md`).toBe(true);
    }
  });

  test("the unit tests fire every alert and check every one on a healthy pair of instances", () => {
    const fired = new Set(ruleTests.flatMap((one) => one.alert_rule_test.filter((check) => check.exp_alerts.length > 0).map((check) => check.alertname)));
    const healthy = ruleTests.find((one) => one.name === HEALTHY_TEST);
    const silent = new Set(healthy?.alert_rule_test.filter((check) => check.exp_alerts.length === 0).map((check) => check.alertname));
    for (const rule of rules) {
      expect(fired.has(rule.alert), `no test fires ${rule.alert}`).toBe(true);
      expect(silent.has(rule.alert), `"${HEALTHY_TEST}" does not check ${rule.alert}`).toBe(true);
    }
  });

  test(
    "each alert that never fires fails the unit tests that expect it to fire",
    async () => {
      const results = await eachAlertWith("vector(0) > 1");
      for (const [alert, result] of results) {
        expect(result.code, `${alert} broken, yet the unit tests pass`).not.toBe(0);
        expect(result.stdout + result.stderr).toContain(`alertname: ${alert}`);
      }
    },
    MUTATION_TIMEOUT_MS,
  );

  test(
    "each alert that always fires fails the healthy test",
    async () => {
      const results = await eachAlertWith("vector(1)");
      for (const [alert, result] of results) {
        expect(result.code, `${alert} always firing, yet the unit tests pass`).not.toBe(0);
        expect(result.stdout + result.stderr).toContain(`name: ${HEALTHY_TEST},\n    alertname: ${alert}, time: 59m`);
      }
    },
    MUTATION_TIMEOUT_MS,
  );
});
