/**
 * Every environment variable the relay reads, one row each, gathered from the parts that own them
 * (each source and sink kind declares its own). This table is the single source for validation,
 * `--help` and the README's configuration table.
 */
import { INTERNAL_API_KEYS_VARIABLE } from "../edge/http/variables.ts";
import { HOBOM_VARIABLES } from "../hobom/variables.ts";
import { KAFKA_VARIABLES } from "../sinks/kafka/variables.ts";
import { STUDY_MATERIAL_VARIABLES } from "../sinks/study-material/variables.ts";
import { GRPC_OUTBOX_VARIABLES } from "../sources/grpc-outbox/variables.ts";
import { STATE_VARIABLES } from "../state/variables.ts";
import { integer, integerList, listenAddress, oneOf, text } from "./parsers.ts";
import { MS, type Variable, variable } from "./variable.ts";

export type { Variable };

/** The engine's, the HTTP API's and the process's own variables. */
const CORE_VARIABLES = {
  pollIntervalMs: variable({
    name: "HOBOM_POLL_INTERVAL_MS",
    doc: "Time from the start of one cycle to the next Find, in ms: a row waits at most this long for its Find (after a longer cycle the next Find comes at once).",
    example: "5000",
    fallback: "5000",
    parse: MS,
  }),
  findBackoffMs: variable({
    name: "HOBOM_FIND_BACKOFF_MS",
    doc: "Waits after consecutive failed cycles, in ms, the last repeated.",
    example: "10000,20000,40000,60000",
    fallback: "10000,20000,40000,60000",
    parse: integerList(1, 3_600_000),
  }),
  gcEveryRows: variable({
    name: "HOBOM_GC_EVERY_ROWS",
    doc: "Rows marked (SENT or FAILED) between two full garbage collections, which keep a large backlog's drain in bounded memory (fewer: less memory, more CPU); a SQL outbox collects once after each full claim instead; 0 leaves collection to the runtime.",
    example: "1000",
    fallback: "1000",
    parse: integer(0, 1_000_000),
  }),
  shutdownTimeoutMs: variable({
    name: "HOBOM_SHUTDOWN_TIMEOUT_MS",
    doc: "How long a stop waits for the cycle in flight to finish its publishes and marks, in ms.",
    example: "10000",
    fallback: "10000",
    parse: MS,
  }),
  leaseTtlMs: variable({
    name: "HOBOM_LEASE_TTL_MS",
    doc: "Lease that makes one instance the owner of a pipeline, in ms: another instance takes over this long after the owner died.",
    example: "15000",
    fallback: "15000",
    parse: integer(1000, 600_000),
  }),
  healthProbeIntervalMs: variable({
    name: "HOBOM_HEALTH_PROBE_INTERVAL_MS",
    doc: "How often every dependency is probed in the background, in ms: an outage is logged when it starts and ends, and shows in hobom_dependency_up and /health, even where no pipeline calls the dependency.",
    example: "10000",
    fallback: "10000",
    parse: integer(500, 600_000),
  }),
  instanceId: variable({
    name: "HOBOM_INSTANCE_ID",
    doc: "This instance's name in leases, logs and /health (default: hostname-pid).",
    example: "deploy-1",
    parse: text,
  }),
  httpAddr: variable({
    name: "HOBOM_HTTP_ADDR",
    doc: "Listen address of the HTTP API (DLQ, health, metrics).",
    example: ":8082",
    fallback: ":8082",
    parse: listenAddress,
  }),
  internalApiKey: variable({
    name: "HOBOM_INTERNAL_API_KEY",
    doc: "x-api-key that the API routes (DLQ, jobs, audit, pipelines) accept; the audit trail names its holder key:<first 12 hex of its sha256>. See also HOBOM_INTERNAL_API_KEYS.",
    example: "s3cret",
    secret: true,
    parse: text,
  }),
  internalApiKeys: INTERNAL_API_KEYS_VARIABLE,
  dlqAuth: variable({
    name: "HOBOM_DLQ_AUTH",
    doc: "`off` lets the API routes run without an api key (warned at start).",
    example: "on",
    fallback: "on",
    parse: oneOf("on", "off"),
  }),
  pipelinesFile: variable({
    name: "HOBOM_PIPELINES_FILE",
    doc: "YAML or JSON file of pipelines beside the built-in HoBom ones (see the README's Pipelines file); validated at start and by check-config.",
    example: "/etc/hobom/pipelines.yaml",
    parse: text,
  }),
  logLevel: variable({
    name: "HOBOM_LOG_LEVEL",
    doc: "Lowest level logged: debug, info, warn or error.",
    example: "info",
    fallback: "info",
    parse: oneOf("debug", "info", "warn", "error"),
  }),
} as const;

export const VARIABLES = {
  ...HOBOM_VARIABLES,
  ...GRPC_OUTBOX_VARIABLES,
  ...STUDY_MATERIAL_VARIABLES,
  ...KAFKA_VARIABLES,
  ...STATE_VARIABLES,
  ...CORE_VARIABLES,
} as const;

/** Every variable, in the order `--help` and the README list them. */
export const VARIABLE_LIST: readonly Variable<unknown>[] = Object.values(VARIABLES);
