/**
 * The command line: which command runs, on which configuration. The service itself (`run`) and
 * the dependency probes are main's, passed in; everything else a command needs is here. Every
 * command and option is a row of the command table, which `--help` and the completions read too.
 */
import type { Config } from "../../config/config.ts";
import { readEnvironment } from "../../config/environment.ts";
import { createLogger, type LogFields } from "../../observability/logger.ts";
import type { Declaration } from "../../pipelines/file.ts";
import type { Probe } from "../http/health.ts";
import { type ParsedArgs, parseArgs, UsageError } from "./args.ts";
import { type CommandSpec, findCommand, PROGRAM } from "./command-spec.ts";
import { COMMAND_TABLE } from "./command-table.ts";
import { checkConfig, healthcheck } from "./commands.ts";
import { bashCompletionScript } from "./completion-bash.ts";
import { zshCompletionScript } from "./completion-zsh.ts";
import { type Configuration, type Reserved, readConfiguration } from "./configuration.ts";
import { closest } from "./did-you-mean.ts";
import { dlqCommand } from "./dlq-command.ts";
import { EXIT_CHECK_FAILED, EXIT_CONFIG } from "./exit-codes.ts";
import { commandHelp, helpText } from "./help.ts";
import { type CliIo, processIo } from "./io.ts";
import { migrateCommand } from "./migrate.ts";
import { dotenvFields, dotenvText, logUnknownVariables, unknownVariableLines } from "./startup.ts";
import { COMMIT, VERSION } from "./version.ts";

export interface Service {
  /** The names a pipelines file may not take (the built-in pipelines' names and DLQ prefixes). */
  readonly reserved: Reserved;
  /** Runs the service; `startup` goes on its start line (which .env it read). */
  run(config: Config, declarations: readonly Declaration[], startup: LogFields): Promise<number>;
  probes(config: Config, declarations: readonly Declaration[]): { probes: Record<string, Probe>; close: () => Promise<unknown> };
  readonly probeTimeoutMs: number;
}

export async function dispatch(args: readonly string[], service: Service, io: CliIo = processIo()): Promise<number> {
  const first = args[0];
  if (first === "--version" || first === "-v") {
    io.out(`${PROGRAM} ${VERSION} (${COMMIT})\n`);
    return 0;
  }
  if (first === "--help" || first === "-h") {
    io.out(helpText(VERSION));
    return 0;
  }
  const path: CommandSpec[] = [];
  let rest = args;
  // `hobom-event-processor` alone runs the service; so does `help` alone print the program's help.
  for (let node: CommandSpec = COMMAND_TABLE; node.subcommands; ) {
    const name = rest[0] ?? (path.length === 0 ? "run" : undefined);
    if (name === undefined) {
      io.err(commandHelp(path));
      return EXIT_CONFIG;
    }
    if (path.length > 0 && isHelp(name)) {
      io.out(commandHelp(path));
      return 0;
    }
    const next = node.subcommands.find((sub) => sub.name === name);
    if (!next) {
      const where = path.length === 0 ? "command" : `${path.map((spec) => spec.name).join(" ")} command`;
      const suggestion = closest(
        name,
        node.subcommands.map((sub) => sub.name),
      );
      const helpOf = [PROGRAM, ...path.map((spec) => spec.name), "--help"].join(" ");
      io.err(`${PROGRAM}: unknown ${where} ${JSON.stringify(name)}${suggestion ? `; did you mean ${suggestion}?` : ""}\n  see ${helpOf}\n`);
      return EXIT_CONFIG;
    }
    path.push(next);
    rest = rest.slice(rest[0] === undefined ? 0 : 1);
    node = next;
  }
  const command = path.at(-1) as CommandSpec;
  if (wantsHelp(rest)) {
    io.out(commandHelp(path));
    return 0;
  }
  if (command.name === "help") return help(rest, io);
  if (path[0]?.name === "dlq") return dlqCommand(command, rest, { env: readEnvironment().env, io });
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(command, rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${PROGRAM} ${command.name}: ${error.message}\n  see ${PROGRAM} ${command.name} --help\n`);
    return EXIT_CONFIG;
  }
  switch (command.name) {
    case "completion":
      io.out(parsed.positionals[0] === "zsh" ? zshCompletionScript() : bashCompletionScript());
      return 0;
    case "healthcheck":
      return healthcheck(readEnvironment().env, service.probeTimeoutMs + 1000);
    case "migrate":
      return migrateCommand(readEnvironment().env, parsed.flag("--print"), service.reserved);
    case "check-config":
      return checkConfigCommand(service, parsed.flag("--offline"), io);
    default:
      return runService(service, io);
  }
}

async function runService(service: Service, io: CliIo): Promise<number> {
  const configuration = readConfiguration(service.reserved);
  if (!configuration.ok) return reportProblems(configuration, io, EXIT_CONFIG);
  const log = createLogger({ level: configuration.config.logLevel });
  logUnknownVariables(log, configuration.unknown);
  return service.run(configuration.config, configuration.declarations, dotenvFields(configuration.dotenv));
}

/** check-config: the configuration (exit 2 offline, else 1, when it has problems), then unless offline every dependency. */
async function checkConfigCommand(service: Service, offline: boolean, io: CliIo): Promise<number> {
  const configuration = readConfiguration(service.reserved);
  if (!configuration.ok) return reportProblems(configuration, io, offline ? EXIT_CONFIG : EXIT_CHECK_FAILED);
  const { config, declarations } = configuration;
  const fromFile = declarations.length > 0 ? `; ${declarations.length} pipeline(s) from ${config.pipelinesFile}` : "";
  io.out(`ok   configuration (${dotenvText(configuration.dotenv)}${fromFile})\n`);
  io.out(unknownVariableLines(configuration.unknown, "warn "));
  if (offline) return 0;
  const { probes, close } = service.probes(config, declarations);
  return checkConfig(probes, close);
}

function reportProblems(configuration: Configuration & { ok: false }, io: CliIo, code: number): number {
  io.err(`${PROGRAM}: the configuration has ${configuration.problems.length} problem(s):\n`);
  for (const problem of configuration.problems) io.err(`  - ${problem}\n`);
  io.err(unknownVariableLines(configuration.unknown));
  return code;
}

/** `help dlq retry`: the help of that command. */
function help(words: readonly string[], io: CliIo): number {
  if (words.length === 0) {
    io.out(helpText(VERSION));
    return 0;
  }
  const found = findCommand(COMMAND_TABLE, words);
  if (!found) {
    io.err(`${PROGRAM} help: no command ${JSON.stringify(words.join(" "))}; see ${PROGRAM} --help\n`);
    return EXIT_CONFIG;
  }
  const path = words.map((_, index) => findCommand(COMMAND_TABLE, words.slice(0, index + 1)) as CommandSpec);
  io.out(commandHelp(path));
  return 0;
}

const isHelp = (arg: string) => arg === "--help" || arg === "-h";

/** --help or -h anywhere before a `--`. */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some(isHelp);
}
