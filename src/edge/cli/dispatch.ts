/**
 * The command line: which command runs, on which configuration. The service itself (`run`) and
 * the dependency probes are main's, passed in; everything else a command needs is here.
 */
import type { Config } from "../../config/config.ts";
import { readEnvironment } from "../../config/environment.ts";
import { loadConfig } from "../../config/load-config.ts";
import { type Declaration, loadPipelinesFile } from "../../pipelines/file.ts";
import type { Probe } from "../http/health.ts";
import { checkConfig, healthcheck } from "./commands.ts";
import { EXIT_CHECK_FAILED, EXIT_CONFIG } from "./exit-codes.ts";
import { helpText } from "./help.ts";
import { migrateCommand } from "./migrate.ts";
import { COMMIT, VERSION } from "./version.ts";

export interface Service {
  /** The names a pipelines file may not take (the built-in pipelines' names and DLQ prefixes). */
  readonly reserved: Parameters<typeof loadPipelinesFile>[2];
  run(config: Config, declarations: readonly Declaration[]): Promise<number>;
  probes(config: Config, declarations: readonly Declaration[]): { probes: Record<string, Probe>; close: () => Promise<unknown> };
  readonly probeTimeoutMs: number;
}

const COMMANDS = ["check-config", "healthcheck", "migrate", "run"];

export async function dispatch(args: readonly string[], service: Service): Promise<number> {
  const command = args[0];
  if (command === "--version" || command === "-v") {
    process.stdout.write(`hobom-event-processor ${VERSION} (${COMMIT})\n`);
    return 0;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(helpText(VERSION));
    return 0;
  }
  if (command !== undefined && !COMMANDS.includes(command)) {
    process.stderr.write(`hobom-event-processor: unknown command "${command}"; see --help\n`);
    return EXIT_CONFIG;
  }
  const { env, problems: envProblems } = readEnvironment();
  if (command === "migrate") return migrateCommand(env, args.slice(1), service.reserved);
  const result = loadConfig({ env });
  const file =
    result.ok && result.config.pipelinesFile !== undefined
      ? loadPipelinesFile(result.config.pipelinesFile, env, service.reserved)
      : { declarations: [], problems: [] };
  const problems = [...envProblems, ...(result.ok ? [] : result.problems), ...file.problems];
  if (!result.ok || problems.length > 0) {
    process.stderr.write(`hobom-event-processor: the configuration has ${problems.length} problem(s):\n`);
    for (const problem of problems) process.stderr.write(`  - ${problem}\n`);
    return command === "check-config" ? EXIT_CHECK_FAILED : EXIT_CONFIG;
  }
  if (command === "check-config") {
    process.stdout.write(
      `ok   configuration${file.declarations.length > 0 ? ` (${file.declarations.length} pipeline(s) from ${result.config.pipelinesFile})` : ""}\n`,
    );
    const { probes, close } = service.probes(result.config, file.declarations);
    return checkConfig(probes, close);
  }
  if (command === "healthcheck") return healthcheck(result.config.http, service.probeTimeoutMs + 1000);
  return service.run(result.config, file.declarations);
}
