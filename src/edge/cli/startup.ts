/**
 * What the configuration's sources were, said where an operator looks: the .env read (or that
 * there was none) on the start line and in check-config, and each unknown HOBOM_* variable as a
 * warning.
 */
import type { DotenvReport } from "../../config/environment.ts";
import type { LogFields, Logger } from "../../observability/logger.ts";
import { PROGRAM } from "./command-spec.ts";
import { type UnknownVariable, unknownVariableText } from "./unknown-variables.ts";

/** The start line's `dotenv` field: the absolute path, whether it was there, what it gave. */
export function dotenvFields(report: DotenvReport): LogFields {
  return {
    dotenv: report.found
      ? { path: report.path, found: true, variables: report.names.length - report.overridden.length, overridden: report.overridden.length }
      : { path: report.path, found: false },
  };
}

/** `3 variable(s) from /opt/hobom/.env (1 overridden by the environment)`, or `no /opt/hobom/.env`. */
export function dotenvText(report: DotenvReport): string {
  if (!report.found) return `no ${report.path}`;
  const taken = report.names.length - report.overridden.length;
  return `${taken} variable(s) from ${report.path}${report.overridden.length > 0 ? ` (${report.overridden.length} overridden by the environment)` : ""}`;
}

/** At start, one `warn` log line per unknown variable. */
export function logUnknownVariables(log: Logger, unknown: readonly UnknownVariable[]): void {
  for (const variable of unknown) {
    log.warn("unknown HOBOM_* variable: nothing reads it, so its value is not used", {
      variable: variable.name,
      setIn: variable.sources,
      ...(variable.suggestion ? { didYouMean: variable.suggestion } : {}),
    });
  }
}

/** For the text commands (check-config, a start that fails): one line each, after `prefix`. */
export function unknownVariableLines(unknown: readonly UnknownVariable[], prefix = `${PROGRAM}: warning: `): string {
  return unknown.map((variable) => `${prefix}${unknownVariableText(variable)}\n`).join("");
}
