/**
 * HOBOM_* variables that nothing reads, in the environment or in the .env: almost always a typo
 * (HOBOM_KAFKA_BROKR) whose value is silently not used. Each gets a warning with the nearest
 * variable that exists. Variables the tests (HOBOM_TEST_*) or the command line read, and names a
 * pipelines file refers to (`${HOBOM_…}`), are known.
 */
import { VARIABLE_LIST } from "../../config/variables.ts";
import { PROGRAM } from "./command-spec.ts";
import { closest } from "./did-you-mean.ts";
import { CLI_VARIABLES } from "./target.ts";

/** The test bed's variables (test/infra, test/support): read by the tests only, never by the service. */
const TEST_PREFIX = "HOBOM_TEST_";
/** `${NAME}` in a pipelines file, as the file loader replaces it. */
const FILE_REFERENCE = /\$\{([A-Z][A-Z0-9_]*)\}/g;

export interface UnknownVariable {
  readonly name: string;
  /** Where it is set: "the environment" and/or the .env's path. */
  readonly sources: readonly string[];
  readonly suggestion?: string;
}

export function unknownVariables(params: {
  /** The process environment, without the .env. */
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly dotenv: { readonly path: string; readonly names: readonly string[]; readonly overridden: readonly string[] };
  /** The pipelines file's text, when there is one: the names it refers to are read through it. */
  readonly pipelinesFileText?: string;
}): UnknownVariable[] {
  const known = [...VARIABLE_LIST.map((variable) => variable.name), ...CLI_VARIABLES.map((variable) => variable.name)];
  const referenced = new Set([...(params.pipelinesFileText ?? "").matchAll(FILE_REFERENCE)].map((match) => match[1] as string));
  const isUnknown = (name: string) => name.startsWith("HOBOM_") && !name.startsWith(TEST_PREFIX) && !known.includes(name) && !referenced.has(name);
  const sources = new Map<string, string[]>();
  // A value the .env gave (Bun may have copied it into the process environment) is the file's alone.
  const fromFileOnly = new Set(params.dotenv.names.filter((name) => !params.dotenv.overridden.includes(name)));
  for (const name of Object.keys(params.processEnv).sort()) if (isUnknown(name) && !fromFileOnly.has(name)) sources.set(name, ["the environment"]);
  for (const name of params.dotenv.names) {
    if (!isUnknown(name)) continue;
    const list = sources.get(name) ?? [];
    list.push(params.dotenv.path);
    sources.set(name, list);
  }
  return [...sources].map(([name, where]) => ({ name, sources: where, suggestion: closest(name, known) }));
}

/** One line: `HOBOM_KAFKA_BROKR (set in /opt/hobom/.env) is not a variable hobom-event-processor reads; did you mean HOBOM_KAFKA_BROKER?` */
export function unknownVariableText(variable: UnknownVariable): string {
  const advice = variable.suggestion ? `did you mean ${variable.suggestion}?` : `${PROGRAM} --help lists the variables`;
  return `${variable.name} (set in ${variable.sources.join(" and ")}) is not a variable ${PROGRAM} reads; ${advice}`;
}
