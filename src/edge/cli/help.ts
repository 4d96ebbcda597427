/** `--help` of the program and of every command, from the command table and the variable table. */
import { VARIABLE_LIST } from "../../config/variables.ts";
import { acceptedOptions, type CommandSpec, PROGRAM } from "./command-spec.ts";
import { COMMAND_TABLE } from "./command-table.ts";
import { CLI_VARIABLES } from "./target.ts";

/** `dlq retry [KEY] [options]`: the words after the program name. */
function usage(path: readonly CommandSpec[]): string {
  const command = path.at(-1) as CommandSpec;
  const words = path.map((spec) => spec.name);
  if (command.subcommands) words.push("<command>");
  for (const arg of command.args ?? []) words.push(arg.required ? arg.name : `[${arg.name}]`);
  if (command.options?.some((option) => !option.refused)) words.push("[options]");
  return words.join(" ");
}

/** Two columns, the first padded to the widest entry. */
function columns(rows: readonly (readonly [string, string])[], indent = "  "): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd());
}

/** The program's help: every command and subcommand, then every environment variable. */
export function helpText(version: string): string {
  const rows: [string, string][] = [];
  for (const command of COMMAND_TABLE.subcommands ?? []) {
    if (command.subcommands) for (const sub of command.subcommands) rows.push([usage([command, sub]), sub.summary]);
    else rows.push([usage([command]), command.summary]);
  }
  rows.push(["--version", "print the version and commit"], ["--help", "print this text"]);
  const lines = [
    `${PROGRAM} ${version}`,
    "",
    "Polls the HoBom backends' outboxes over gRPC, delivers every event to Kafka (law changes: LLM",
    "study material), keeps what could not be delivered in a Redis DLQ, and serves the DLQ API.",
    "",
    `Usage: ${PROGRAM} [command] [options]    (no command: run the service)`,
    "",
    "Commands:",
    ...columns(rows),
    "",
    `Every command has its own --help, e.g. ${PROGRAM} dlq retry --help.`,
    "Configuration comes from the environment and from ./.env (real variables win).",
    "",
    "Environment:",
  ];
  for (const variable of VARIABLE_LIST) {
    const flags = [variable.required ? "required" : variable.fallback !== undefined ? `default ${JSON.stringify(variable.fallback)}` : "optional"];
    if (variable.secret) flags.push("secret");
    lines.push(`  ${variable.name} (${flags.join(", ")})`, `      ${variable.doc}`);
  }
  lines.push("", "Environment of the command line:");
  for (const variable of CLI_VARIABLES) lines.push(`  ${variable.name} (secret)`, `      ${variable.doc}`);
  return `${lines.join("\n")}\n`;
}

/** The help of the command at `path` (root excluded): usage, what it does, arguments, options, examples. */
export function commandHelp(path: readonly CommandSpec[]): string {
  const command = path.at(-1) as CommandSpec;
  const lines = [`Usage: ${PROGRAM} ${usage(path)}`, "", command.summary];
  if (command.description) lines.push("", ...command.description);
  if (command.subcommands) {
    lines.push("", "Commands:", ...columns(command.subcommands.map((sub) => [usage([sub]), sub.summary] as const)));
    lines.push("", `Each has its own --help, e.g. ${PROGRAM} ${path.map((spec) => spec.name).join(" ")} ${command.subcommands[0]?.name} --help.`);
  }
  if (command.args?.length) lines.push("", "Arguments:", ...columns(command.args.map((arg) => [arg.name, arg.doc] as const)));
  const options = acceptedOptions(command).filter((option) => !option.refused);
  lines.push("", "Options:", ...columns(options.map((option) => [option.value ? `${option.name} ${option.value}` : option.name, option.doc] as const)));
  if (path[0]?.name === "dlq") {
    lines.push(
      "",
      "Environment:",
      ...columns([
        ...CLI_VARIABLES.map((variable) => [variable.name, variable.doc] as const),
        ["HOBOM_INTERNAL_API_KEY", "the service's api key, sent when HOBOM_CLI_API_KEY is not set"],
        ["HOBOM_HTTP_ADDR", "the service's listen address; the instance on this host is reached there when --url is not given"],
      ]),
    );
  }
  if (command.examples?.length) lines.push("", "Examples:", ...command.examples.map((example) => `  ${PROGRAM} ${example}`));
  return `${lines.join("\n")}\n`;
}
