/** The JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of the answers the route table names. */

type Schema = Readonly<Record<string, unknown>>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const string: Schema = { type: "string" };
const integer: Schema = { type: "integer" };
const boolean: Schema = { type: "boolean" };
const time: Schema = { type: "string", format: "date-time" };
const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: "null" }] });
const object = (properties: Record<string, Schema>, required: readonly string[] = Object.keys(properties)): Schema => ({
  type: "object",
  properties,
  required,
});
const list = (items: Schema): Schema => ({ type: "array", items });

const JOB_STATES = ["running", "succeeded", "partial", "failed", "cancelled", "abandoned"];

export const SCHEMAS: Readonly<Record<string, Schema>> = {
  Error: object({ error: string, detail: string }, ["error"]),
  Message: object({ message: string }),
  DlqKeys: object({ items: list(string), nextCursor: { type: "string", pattern: "^[0-9]+$" } }),
  DlqMeta: object({
    pipeline: string,
    eventId: string,
    eventType: string,
    topic: string,
    recordKey: string,
    headers: { type: "object", additionalProperties: string },
    reason: string,
    attempts: integer,
    firstFailedAt: time,
    lastFailedAt: time,
    replayable: boolean,
  }),
  DlqItem: object({
    item: { description: "The stored JSON (object or array), or the stored text when it is not JSON." },
    meta: nullable(ref("DlqMeta")),
    expiresInSeconds: nullable(integer),
  }),
  Retried: object(
    {
      message: string,
      published: boolean,
      generated: { type: "boolean", description: "Law entries: the study material was generated and saved." },
      marked: { enum: ["SENT", "gone"] },
    },
    ["message", "published", "marked"],
  ),
  Entry: object({
    key: string,
    pipeline: string,
    eventId: string,
    eventType: nullable(string),
    reason: nullable(string),
    attempts: integer,
    firstFailedAt: nullable(time),
    lastFailedAt: { ...time, description: "Recorded; for entries the Go processor wrote, estimated as expiry − 72 h." },
    expiresAt: nullable(time),
    replayable: boolean,
    topic: nullable(string),
    bytes: integer,
  }),
  EntryPage: object({ items: list(ref("Entry")), nextCursor: nullable(string), matched: integer }),
  DryRun: object({ dryRun: { const: true }, matched: integer, items: list(ref("Entry")) }),
  JobItem: object(
    {
      key: string,
      status: integer,
      outcome: { enum: ["retried", "failed"] },
      published: boolean,
      generated: boolean,
      marked: string,
      error: string,
      detail: string,
    },
    ["key", "status", "outcome"],
  ),
  Job: object(
    {
      id: string,
      state: { enum: JOB_STATES },
      actor: string,
      instance: string,
      createdAt: time,
      finishedAt: nullable(time),
      heartbeatAt: time,
      filters: { type: "object" },
      total: integer,
      done: integer,
      failed: integer,
      remaining: integer,
      items: list(ref("JobItem")),
    },
    ["id", "state", "actor", "createdAt", "finishedAt", "filters", "total", "done", "failed", "remaining"],
  ),
  JobStarted: object({ job: ref("Job"), location: string }),
  JobList: object({ items: list(ref("Job")) }),
  AuditEntry: object({
    id: string,
    at: time,
    actor: string,
    action: { enum: ["dlq.retry", "dlq.delete", "dlq.bulk-retry", "dlq.bulk-retry.dry-run", "dlq.job.cancel", "auth.refused"] },
    target: nullable(string),
    outcome: { enum: ["ok", "failed", "refused", "dry-run"] },
    status: integer,
    detail: nullable(string),
  }),
  AuditPage: object({ items: list(ref("AuditEntry")), nextBefore: nullable(string) }),
  Pipeline: object({
    name: string,
    source: string,
    sink: string,
    declared: { enum: ["built-in", "HOBOM_PIPELINES_FILE"] },
    dlqPrefix: string,
    state: { enum: ["owned", "standby", "shared"] },
    health: { enum: ["healthy", "failing"] },
    lastError: nullable(string),
    dlqEntries: { ...nullable(integer), description: "From the DLQ index; null while Redis cannot be reached." },
  }),
  Pipelines: object({ instance: string, pipelines: list(ref("Pipeline")) }),
  Health: object({ status: { enum: ["healthy", "unhealthy"] }, components: { type: "object" }, instance: string, pipelines: { type: "object" } }),
  Live: object({ status: { const: "alive" } }),
  Ready: object({ status: { enum: ["ready", "degraded", "not ready"] }, components: { type: "object" } }),
  Metrics: { type: "string", description: "Prometheus text exposition format 0.0.4." },
  OpenApi: { type: "object", description: "An OpenAPI 3.1 document." },
  Html: { type: "string", description: "An HTML page." },
};
