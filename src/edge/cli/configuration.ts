/**
 * The service's configuration as `run` and `check-config` read it: the environment over ./.env,
 * the variables, the pipelines file; every problem at once, and the HOBOM_* variables nothing reads.
 */
import { readFileSync } from "node:fs";
import type { Config } from "../../config/config.ts";
import { type DotenvReport, readEnvironment } from "../../config/environment.ts";
import { loadConfig } from "../../config/load-config.ts";
import { type Declaration, loadPipelinesFile } from "../../pipelines/file.ts";
import { type UnknownVariable, unknownVariables } from "./unknown-variables.ts";

/** The names a pipelines file may not take (the built-in pipelines' names and DLQ prefixes). */
export type Reserved = Parameters<typeof loadPipelinesFile>[2];

export type Configuration = {
  readonly dotenv: DotenvReport;
  readonly unknown: readonly UnknownVariable[];
} & ({ ok: true; config: Config; declarations: readonly Declaration[] } | { ok: false; problems: readonly string[] });

export function readConfiguration(reserved: Reserved, processEnv: Readonly<Record<string, string | undefined>> = process.env): Configuration {
  const { env, problems: envProblems, dotenv } = readEnvironment({ processEnv });
  const result = loadConfig({ env });
  const path = result.ok ? result.config.pipelinesFile : env.HOBOM_PIPELINES_FILE;
  const file = result.ok && path !== undefined ? loadPipelinesFile(path, env, reserved) : { declarations: [], problems: [] };
  const unknown = unknownVariables({ processEnv, dotenv, pipelinesFileText: path ? readText(path) : undefined });
  const problems = [...envProblems, ...(result.ok ? [] : result.problems), ...file.problems];
  if (!result.ok || problems.length > 0) return { ok: false, problems, dotenv, unknown };
  return { ok: true, config: result.config, declarations: file.declarations, dotenv, unknown };
}

/** The file's text, or nothing when it cannot be read (the loader reports that problem). */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
