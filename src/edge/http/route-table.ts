/**
 * Every HTTP route, one row each: method and path, whether it needs the api key, its query
 * parameters and the statuses it answers. The guard (guard.ts) enforces it, the routes read their
 * parameters from it, and the OpenAPI document (openapi.ts) is written from it; a test checks
 * that the server has exactly these routes.
 */
import type { QuerySpec } from "./query-params.ts";
import { AUDIT_QUERY, BULK_RETRY_QUERY, DLQ_LIST_QUERY, ENTRIES_QUERY } from "./query-specs.ts";

/** The base path of the routes that need the api key (contracts, section 5). */
export const API_BASE = "/hobom-event-processor/internal/api/v1";

/** What an answer holds: a schema of openapi-schemas.ts, as JSON unless said otherwise. */
export interface ResponseSpec {
  readonly description: string;
  readonly schema: string;
  readonly contentType?: "text/plain" | "text/html";
}

export interface RouteSpec {
  readonly method: "GET" | "POST" | "DELETE";
  /** The whole path as Elysia writes it: `:name` is one path segment. */
  readonly path: string;
  readonly summary: string;
  /** Needs `x-api-key`. */
  readonly auth: boolean;
  readonly query: QuerySpec;
  readonly pathParams?: Readonly<Record<string, string>>;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
}

const KEY_PARAM = { key: "The whole Redis key of the entry as one path segment, colons raw or URL-encoded (e.g. dlq:menu:<eventId>)." };
const JOB_PARAM = { id: "The job's id (j-…), as the 202 of a bulk retry gave it." };

const error = (description: string): ResponseSpec => ({ description, schema: "Error" });
const BAD_REQUEST = error(
  "The request is not understood (an unknown or repeated query parameter, a body, a malformed value); `detail` says what is accepted. Nothing changed.",
);
const UNAUTHORIZED = error("Missing or wrong x-api-key, or no api key configured on the server.");
const REDIS_DOWN = error("Redis cannot be reached (`redis unavailable`); nothing changed.");
const guarded = { 400: BAD_REQUEST, 401: UNAUTHORIZED, 503: REDIS_DOWN } as const;

export const ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    path: "/health",
    summary: "Every dependency probed, and the pipelines this instance owns (the Go processor's shape).",
    auth: false,
    query: {},
    responses: {
      200: { description: "Every component is healthy.", schema: "Health" },
      400: BAD_REQUEST,
      503: { description: "Some component is not.", schema: "Health" },
    },
  },
  {
    method: "GET",
    path: "/health/live",
    summary: "The process runs.",
    auth: false,
    query: {},
    responses: { 200: { description: "Alive.", schema: "Live" }, 400: BAD_REQUEST },
  },
  {
    method: "GET",
    path: "/health/ready",
    summary: "Ready while the dependencies it cannot work without answer; names what is missing or degraded.",
    auth: false,
    query: {},
    responses: { 200: { description: "Ready, or degraded.", schema: "Ready" }, 400: BAD_REQUEST, 503: { description: "Not ready.", schema: "Ready" } },
  },
  {
    method: "GET",
    path: "/metrics",
    summary: "Prometheus metrics.",
    auth: false,
    query: {},
    responses: { 200: { description: "Prometheus text format 0.0.4.", schema: "Metrics", contentType: "text/plain" }, 400: BAD_REQUEST },
  },
  {
    method: "GET",
    path: "/openapi.json",
    summary: "This description of the HTTP API (OpenAPI 3.1).",
    auth: false,
    query: {},
    responses: { 200: { description: "The OpenAPI document.", schema: "OpenApi" }, 400: BAD_REQUEST },
  },
  {
    method: "GET",
    path: "/console",
    summary: "The web console (the page holds no data: it asks for the api key and calls the API with it).",
    auth: false,
    query: {},
    responses: { 200: { description: "The console's page.", schema: "Html", contentType: "text/html" }, 400: BAD_REQUEST },
  },
  {
    method: "GET",
    path: `${API_BASE}/pipelines`,
    summary: "The pipelines this instance runs: kinds, ownership, health and DLQ entries.",
    auth: true,
    query: {},
    responses: {
      200: { description: "The pipelines (dlqEntries null while Redis cannot be reached).", schema: "Pipelines" },
      400: BAD_REQUEST,
      401: UNAUTHORIZED,
    },
  },
  {
    method: "GET",
    path: `${API_BASE}/dlq`,
    summary: "DLQ keys by SCAN (the Go processor's route).",
    auth: true,
    query: DLQ_LIST_QUERY,
    responses: { 200: { description: "Keys; nextCursor 0 when complete.", schema: "DlqKeys" }, ...guarded },
  },
  {
    method: "GET",
    path: `${API_BASE}/dlq/entries`,
    summary: "DLQ entries with their metadata, from the index, oldest last failure first, filtered and paged.",
    auth: true,
    query: ENTRIES_QUERY,
    responses: { 200: { description: "One page of entries.", schema: "EntryPage" }, ...guarded },
  },
  {
    method: "GET",
    path: `${API_BASE}/dlq/jobs`,
    summary: "The last 50 bulk replay jobs, newest first, without their items.",
    auth: true,
    query: {},
    responses: { 200: { description: "The jobs.", schema: "JobList" }, ...guarded },
  },
  {
    method: "GET",
    path: `${API_BASE}/dlq/jobs/:id`,
    summary: "One bulk replay job with its per-entry results.",
    auth: true,
    query: {},
    pathParams: JOB_PARAM,
    responses: {
      200: { description: "Running, abandoned, cancelled, or finished with every entry retried (or none to retry).", schema: "Job" },
      207: { description: "Finished; some entries failed (state partial).", schema: "Job" },
      502: { description: "Finished; every entry failed (state failed).", schema: "Job" },
      404: error("No such job (`job not found`)."),
      ...guarded,
    },
  },
  {
    method: "DELETE",
    path: `${API_BASE}/dlq/jobs/:id`,
    summary: "Cancels a running job: no entry is started after this; the one in flight completes.",
    auth: true,
    query: {},
    pathParams: JOB_PARAM,
    responses: {
      200: { description: "Cancelled.", schema: "Job" },
      404: error("No such job (`job not found`)."),
      409: error("The job has finished (`job finished`)."),
      ...guarded,
    },
  },
  {
    method: "GET",
    path: `${API_BASE}/dlq/:key`,
    summary: "One entry: the stored value, its metadata (null for the Go processor's entries) and its expiry.",
    auth: true,
    query: {},
    pathParams: KEY_PARAM,
    responses: { 200: { description: "The entry.", schema: "DlqItem" }, 404: error("No such entry (`DLQ not found`)."), ...guarded },
  },
  {
    method: "DELETE",
    path: `${API_BASE}/dlq/:key`,
    summary: "Deletes one entry and its metadata (audited).",
    auth: true,
    query: {},
    pathParams: KEY_PARAM,
    responses: { 200: { description: "Removed.", schema: "Message" }, 404: error("No such entry (`DLQ not found`)."), ...guarded },
  },
  {
    method: "POST",
    path: `${API_BASE}/dlq/retry/:key`,
    summary: "Replays one entry through its pipeline, marks it SENT at its source and deletes it (audited).",
    auth: true,
    query: {},
    pathParams: KEY_PARAM,
    responses: {
      200: { description: "Retried and removed.", schema: "Retried" },
      404: error("No such entry (`DLQ not found`)."),
      409: error("Another retry of the entry is running (`retry in progress`); the entry is kept."),
      422: error("The entry holds a raw row, or its pipeline does not run here (`not replayable`); kept."),
      502: error("The sink or the source refused (`upstream failed`); `detail` has their error; kept."),
      ...guarded,
      503: error("Kafka, the sink or Redis cannot be reached (`kafka unavailable`, `redis unavailable`); kept."),
    },
  },
  {
    method: "POST",
    path: `${API_BASE}/dlq/retry`,
    summary: "Bulk replay of the entries a filter matches, as a job (or, with dryRun=true, what it would take).",
    auth: true,
    query: BULK_RETRY_QUERY,
    responses: {
      200: { description: "dryRun=true: the entries that would be retried; nothing changed.", schema: "DryRun" },
      202: { description: "The job is running; Location names it.", schema: "JobStarted" },
      ...guarded,
    },
  },
  {
    method: "GET",
    path: `${API_BASE}/audit`,
    summary: "The audit trail, newest first: every DLQ change and refused api key.",
    auth: true,
    query: AUDIT_QUERY,
    responses: { 200: { description: "One page of the trail.", schema: "AuditPage" }, ...guarded },
  },
];

/** How messages name a route: `GET /dlq/entries` (below the base path), `GET /health`. */
export function routeName(route: Pick<RouteSpec, "method" | "path">): string {
  return `${route.method} ${route.path.startsWith(API_BASE) ? route.path.slice(API_BASE.length) : route.path}`;
}
