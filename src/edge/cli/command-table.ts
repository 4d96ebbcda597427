/**
 * Every command, subcommand and option of the binary, one row each: the parser, `--help` and the
 * shell completions read this table, so none of them can list what another does not accept.
 */
import { PIPELINES } from "../../hobom/pipelines.ts";
import { type CommandSpec, type OptionSpec, PROGRAM } from "./command-spec.ts";

const PIPELINE_NAMES = PIPELINES.map((row) => row.name);
const DLQ_PREFIXES = PIPELINES.map((row) => row.dlqPrefix);

/** How the dlq commands reach an instance: every dlq subcommand takes these. */
const CONNECTION: readonly OptionSpec[] = [
  { name: "--url", value: "URL", doc: "the instance's HTTP address, e.g. http://10.0.0.5:8082 (default: this host's HOBOM_HTTP_ADDR)" },
  {
    name: "--api-key-file",
    value: "FILE",
    doc: "a file holding the api key alone (default: $HOBOM_CLI_API_KEY, else $HOBOM_INTERNAL_API_KEY)",
    complete: "file",
  },
  { name: "--json", doc: "print the API's JSON answer exactly as it came, for scripts" },
  {
    name: "--api-key",
    doc: "",
    refused:
      "an api key given as an argument shows in `ps` and in the shell's history; put it in a file (mode 0600) and pass --api-key-file FILE, or set HOBOM_CLI_API_KEY",
  },
];

/** Which entries: `dlq ls` and the bulk `dlq retry` take the same filters as the API. */
const FILTERS: readonly OptionSpec[] = [
  { name: "--prefix", value: "PREFIX", doc: "entries under this DLQ prefix, e.g. dlq:menu:", complete: DLQ_PREFIXES },
  { name: "--pipeline", value: "NAME", doc: "entries of this pipeline, e.g. message", complete: PIPELINE_NAMES },
  { name: "--reason", value: "TEXT", doc: "entries whose reason contains TEXT (any case)" },
  { name: "--event-type", value: "TYPE", doc: "entries of this event type, exactly, e.g. MESSAGE" },
  { name: "--older-than", value: "AGE", doc: "entries that last failed more than AGE ago: 30s, 15m, 2h, 7d" },
  { name: "--newer-than", value: "AGE", doc: "entries that last failed less than AGE ago" },
];

const YES: OptionSpec = { name: "--yes", doc: "do it without asking (needed when stdin is not a terminal)" };

const DLQ: CommandSpec = {
  name: "dlq",
  summary: "inspect, replay and delete DLQ entries of a running instance, and read the audit trail",
  description: [
    "Talks to a running instance's HTTP API (the routes under /hobom-event-processor/internal/api/v1),",
    "at --url or at this host's HOBOM_HTTP_ADDR, with the api key from --api-key-file, HOBOM_CLI_API_KEY",
    "or HOBOM_INTERNAL_API_KEY (never as an argument: arguments show in `ps`).",
    "",
    "Exit codes: 0 done; 1 the API answered that something failed (not found, retry failed, some of a bulk",
    "retry failed); 2 a usage or configuration mistake (also a 400 from the API); 3 the instance cannot be",
    "reached or refused the api key; 130 Ctrl-C while following a job (the job goes on).",
  ],
  subcommands: [
    {
      name: "ls",
      summary: "list DLQ entries with their pipeline, attempts, last failure and reason",
      options: [
        ...FILTERS,
        { name: "--limit", value: "N", doc: "at most N entries, 1 to 500 (default 100)" },
        { name: "--cursor", value: "CURSOR", doc: "the next page: the cursor an earlier listing printed" },
        ...CONNECTION,
      ],
      examples: ["dlq ls", "dlq ls --pipeline law --older-than 2h", 'dlq ls --prefix dlq:menu: --reason "too large" --json'],
    },
    {
      name: "show",
      summary: "print one entry's metadata and its payload",
      args: [{ name: "KEY", doc: "the entry's Redis key, as dlq ls prints it", required: true }],
      options: CONNECTION,
      examples: ["dlq show dlq:menu:0b4f6c1e-77a2-4d1c-9f0e-3b1f2a9c8d7e"],
    },
    {
      name: "retry",
      summary: "replay one entry, or every entry a filter matches as a job that is followed until done",
      description: [
        "With KEY: replays that entry (publish, mark SENT, delete) and prints what happened.",
        "With filters (--prefix or --pipeline required): asks first (or needs --yes), starts a bulk retry job on",
        "the instance and follows its progress until it is done; Ctrl-C stops following, not the job, and",
        "prints how to follow it again. --dry-run lists what would be retried and changes nothing.",
      ],
      args: [{ name: "KEY", doc: "the entry to replay; without it, the filters choose the entries", required: false }],
      options: [
        ...FILTERS,
        { name: "--limit", value: "N", doc: "bulk: at most N entries, 1 to 10000 (default 1000)" },
        { name: "--rate", value: "N", doc: "bulk: at most N retries per second, 1 to 1000 (default 20)" },
        { name: "--dry-run", doc: "bulk: list the entries that would be retried; nothing changes" },
        YES,
        ...CONNECTION,
      ],
      examples: [
        "dlq retry dlq:menu:0b4f6c1e-77a2-4d1c-9f0e-3b1f2a9c8d7e",
        "dlq retry --pipeline law --dry-run",
        "dlq retry --prefix dlq:menu: --reason timeout --rate 5",
        "dlq retry --pipeline angel --yes --json",
      ],
    },
    {
      name: "rm",
      summary: "delete one entry (asks first, or needs --yes)",
      args: [{ name: "KEY", doc: "the entry to delete", required: true }],
      options: [YES, ...CONNECTION],
      examples: ["dlq rm dlq:law:7c1d9e2a-5b3f-4e8a-a1c2-9d0e4f6b8a1c", "dlq rm dlq:law:7c1d9e2a-5b3f-4e8a-a1c2-9d0e4f6b8a1c --yes"],
    },
    {
      name: "audit",
      summary: "list the audit trail: who retried, deleted or was refused, when, and the outcome",
      options: [
        { name: "--limit", value: "N", doc: "at most N entries (default 100)" },
        { name: "--before", value: "ID", doc: "the next page: entries older than this id (an earlier listing prints it)" },
        ...CONNECTION,
      ],
      examples: ["dlq audit", "dlq audit --limit 20 --json"],
    },
    {
      name: "jobs",
      summary: "list the last 50 bulk retry jobs, newest first",
      options: CONNECTION,
      examples: ["dlq jobs"],
    },
    {
      name: "job",
      summary: "show a bulk retry job, following it while it runs; or cancel it",
      args: [{ name: "ID", doc: "the job's id (j-…), as dlq retry and dlq jobs print it", required: true }],
      options: [
        { name: "--no-follow", doc: "print the job's state once, even while it runs" },
        { name: "--cancel", doc: "stop the job: entries not yet retried stay in the DLQ" },
        ...CONNECTION,
      ],
      examples: ["dlq job j-5f2a9c", "dlq job j-5f2a9c --cancel"],
    },
  ],
};

export const COMMAND_TABLE: CommandSpec = {
  name: PROGRAM,
  summary: "the HoBom outbox relay",
  subcommands: [
    { name: "run", summary: "run the service (the default: no command runs it too)" },
    {
      name: "check-config",
      summary: "validate the configuration and try every dependency; exit 0, or 1 with a line per problem",
      description: [
        "Reads the environment, ./.env and HOBOM_PIPELINES_FILE as the service does, warns about HOBOM_*",
        "variables no part of the service reads (typos), then tries Redis, Kafka and every configured backend.",
      ],
      options: [
        {
          name: "--offline",
          doc: "the configuration only, no dependency tried: exit 0, or 2 with a line per problem (for systemd's ExecStartPre)",
        },
      ],
      examples: ["check-config", "check-config --offline"],
    },
    {
      name: "healthcheck",
      summary: "ask the service on this host's HOBOM_HTTP_ADDR for /health/ready; exit 0 or 1",
      description: ["Needs HOBOM_HTTP_ADDR alone (default :8082), so a container health check never fails on other variables."],
    },
    {
      name: "migrate",
      summary: "create or upgrade the outbox tables HOBOM_PIPELINES_FILE declares",
      description: ["Each step is a no-op once done, so it is safe on every deploy."],
      options: [{ name: "--print", doc: "print the SQL statements only; nothing changes (for a DBA)" }],
      examples: ["migrate --print", "migrate"],
    },
    DLQ,
    {
      name: "completion",
      summary: "print a shell completion script for bash or zsh",
      args: [{ name: "SHELL", doc: "bash or zsh", required: true, choices: ["bash", "zsh"] }],
      examples: [`completion bash > /etc/bash_completion.d/${PROGRAM}`, `completion zsh > "\${fpath[1]}/_${PROGRAM}"`],
    },
    {
      name: "help",
      summary: "print the help of a command, e.g. help dlq retry",
      args: [{ name: "COMMAND", doc: "a command and its subcommand", required: false }],
    },
  ],
};
