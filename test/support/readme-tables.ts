/**
 * The README's tables that the code defines, written from the code: the configuration table from
 * the variable table (the one --help prints). `bun test/infra/readme-tables.ts` rewrites them in
 * README.md; test/unit/readme.test.ts fails when they differ.
 */
import { VARIABLE_LIST } from "../../src/config/variables.ts";

/** The markers around a generated table in README.md. */
export const VARIABLES_START = "<!-- variables: generated from src/config/variables.ts by test/infra/readme-tables.ts -->";
export const VARIABLES_END = "<!-- /variables -->";

export function variablesTable(): string {
  const rows = VARIABLE_LIST.map((variable) => {
    const name = `\`${variable.name}\`${variable.secret ? " (secret)" : ""}`;
    const fallback = variable.required
      ? "**required**"
      : variable.fallback !== undefined
        ? `\`${variable.fallback === "" ? '""' : variable.fallback}\``
        : "unset";
    return `| ${name} | ${fallback} | ${variable.doc} |`;
  });
  return ["| variable | default | what it does |", "|---|---|---|", ...rows].join("\n");
}

/** README text with the generated table put between its markers. */
export function withTables(readme: string): string {
  const start = readme.indexOf(VARIABLES_START);
  const end = readme.indexOf(VARIABLES_END);
  if (start === -1 || end === -1) throw new Error(`README.md lacks the markers ${VARIABLES_START} … ${VARIABLES_END}`);
  return `${readme.slice(0, start + VARIABLES_START.length)}\n${variablesTable()}\n${readme.slice(end)}`;
}
