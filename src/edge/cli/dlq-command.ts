/**
 * `dlq <subcommand>`: reads the options, finds the instance and the api key, runs the subcommand,
 * and turns what went wrong into one line and an exit code: 1 the API said it failed, 2 a usage
 * or configuration mistake (a 400 too), 3 no answer or a refused key.
 */
import { ApiError, createApiClient, UnreachableError } from "./api-client.ts";
import { parseArgs, UsageError } from "./args.ts";
import { type CommandSpec, PROGRAM } from "./command-spec.ts";
import { bulkOrSingleRetry } from "./dlq-bulk.ts";
import type { DlqContext } from "./dlq-context.ts";
import { auditCommand, lsCommand, rmCommand, showCommand } from "./dlq-entries.ts";
import { jobCommand, jobsCommand } from "./dlq-jobs.ts";
import { EXIT_CONFIG, EXIT_FAILED, EXIT_UNREACHABLE } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { commandLine } from "./shell-words.ts";
import { resolveTarget, type Target } from "./target.ts";

type Subcommand = (context: DlqContext) => Promise<number>;

const SUBCOMMANDS: Record<string, Subcommand> = {
  ls: lsCommand,
  show: showCommand,
  retry: bulkOrSingleRetry,
  rm: rmCommand,
  audit: auditCommand,
  jobs: jobsCommand,
  job: jobCommand,
};

export async function dlqCommand(
  spec: CommandSpec,
  raw: readonly string[],
  environment: { env: Readonly<Record<string, string | undefined>>; io: CliIo; fetch?: typeof fetch },
): Promise<number> {
  const { io } = environment;
  const name = `${PROGRAM} dlq ${spec.name}`;
  const run = SUBCOMMANDS[spec.name] as Subcommand;
  let target: Target | undefined;
  let json = false;
  try {
    const args = parseArgs(spec, raw);
    json = args.flag("--json");
    target = resolveTarget({ url: args.value("--url"), apiKeyFile: args.value("--api-key-file") }, environment.env, io.readFile);
    const connection = [
      ...(args.value("--url") === undefined ? [] : ["--url", args.value("--url") as string]),
      ...(args.value("--api-key-file") === undefined ? [] : ["--api-key-file", args.value("--api-key-file") as string]),
    ];
    return await run({
      client: createApiClient({ target, fetch: environment.fetch }),
      io,
      args,
      json,
      again: (...words) => commandLine(["dlq", ...words, ...connection]),
      raw,
    });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${name}: ${error.message}\n  see ${PROGRAM} dlq ${spec.name} --help\n`);
      return EXIT_CONFIG;
    }
    if (error instanceof UnreachableError) {
      io.err(`${name}: ${error.message} (is the service running there? give --url or set HOBOM_HTTP_ADDR)\n`);
      return EXIT_UNREACHABLE;
    }
    if (error instanceof ApiError) {
      if (json && error.text.trim().startsWith("{")) io.out(`${error.text.trimEnd()}\n`);
      io.err(`${name}: ${apiErrorLine(error, target)}\n`);
      return error.status === 401 || error.status === 403 ? EXIT_UNREACHABLE : error.status === 400 ? EXIT_CONFIG : EXIT_FAILED;
    }
    throw error;
  }
}

/** `404 DLQ not found`, `401 unauthorized: missing or wrong x-api-key (the key from HOBOM_CLI_API_KEY)`. */
export function apiErrorLine(error: ApiError, target: Target | undefined): string {
  const hint =
    error.status === 401 && target
      ? ` (${target.apiKey === undefined ? target.keySource : `sent the key from ${target.keySource}`})`
      : error.status === 404 && error.error === "not found"
        ? " (this instance does not serve the route: is it older than this command line?)"
        : "";
  return `${error.message}${hint}`;
}
