/** README.md stays true about what the code defines: every variable, every DLQ prefix. */
import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { VARIABLE_LIST } from "../../src/config/variables.ts";
import { PIPELINES } from "../../src/hobom/pipelines.ts";
import { withTables } from "../support/readme-tables.ts";

const readme = await Bun.file(resolve(import.meta.dir, "../../README.md")).text();

test("the configuration table is the variable table, as test/infra/readme-tables.ts writes it", () => {
  expect(readme).toBe(withTables(readme));
});

test("the configuration table lists every environment variable with its default", () => {
  for (const variable of VARIABLE_LIST) {
    const row = readme.split("\n").find((line) => line.startsWith(`| \`${variable.name}\``));
    expect(row, `${variable.name} has no row`).toBeDefined();
    if (variable.fallback) expect(row).toContain(`\`${variable.fallback}\``);
    if (variable.required) expect(row).toContain("**required**");
  }
});

test("the API section names every DLQ prefix", () => {
  for (const pipeline of PIPELINES) expect(readme).toContain(`\`${pipeline.dlqPrefix}\``);
});
