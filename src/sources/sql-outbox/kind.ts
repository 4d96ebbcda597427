/**
 * The `sql-outbox` source kind, as a pipelines file declares it: an outbox table in PostgreSQL or
 * SQLite, of the shape Debezium's outbox event router reads, claimed in batches by every instance.
 *
 * ```yaml
 * source:
 *   kind: sql-outbox
 *   dialect: postgres                 # or sqlite, with path: /var/lib/app/app.db
 *   url: ${ORDERS_DATABASE_URL}       # postgres://user:password@host:5432/db
 *   table: outbox                     # default; schema.table works too
 *   batchSize: 5000                   # rows per claim (the next claim runs while a full batch is delivered)
 *   claimLeaseMs: 30000               # a dead instance's claimed rows are claimed again after this
 *   pollIntervalMs: 1000              # the safety net beside the commit notifications
 *   maxAttempts: 10                   # deliveries failing for the row's own reason, then the DLQ
 *   retryBackoffMs: [1000, 5000, 30000, 120000]
 *   retentionHours: 168               # processed rows are deleted after this; failed rows are kept
 *   upkeepIntervalMs: 15000           # how often retention runs and the backlog metrics are measured
 * ```
 */
import type { Config } from "../../config/config.ts";
import type { Fields } from "../../config/fields.ts";
import { createPoller } from "../../engine/polling.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Migration, SourceKind } from "../../pipelines/kind.ts";
import { migratePostgres, migrateSqlite, sqliteStatements } from "./migrate.ts";
import { createPostgresStore } from "./postgres.ts";
import { postgresMigration, TABLE_NAME, tableNames } from "./postgres-schema.ts";
import { createSqlOutboxSource } from "./source.ts";
import { createSqliteStore } from "./sqlite.ts";
import type { OutboxStore } from "./store.ts";
import { type OutboxReport, runUpkeep } from "./upkeep.ts";

export interface SqlOutboxOptions {
  readonly dialect: "postgres" | "sqlite";
  /** postgres: the connection URL; sqlite: the database file. */
  readonly location: string;
  readonly table: string;
  readonly batchSize: number;
  readonly claimLeaseMs: number;
  readonly pollIntervalMs: number;
  readonly maxAttempts: number;
  readonly retryBackoffMs: readonly number[];
  readonly retentionMs: number;
  readonly upkeepIntervalMs: number;
}

export interface SqlOutboxDependencies {
  readonly config: Config;
  readonly report: OutboxReport;
  readonly log: Logger;
}

export const sqlOutboxKind: SourceKind<SqlOutboxOptions, SqlOutboxDependencies> = {
  parse(fields: Fields) {
    const dialect = fields.oneOf("dialect", ["postgres", "sqlite"], { required: true });
    const url = fields.string("url", { accepted: "postgres://user:password@host:5432/database" });
    const path = fields.string("path", { accepted: "the SQLite database file" });
    if (dialect === "postgres" && url === undefined) fields.problem("url", "is required for dialect postgres (e.g. url: ${ORDERS_DATABASE_URL})");
    if (dialect === "sqlite" && path === undefined) fields.problem("path", "is required for dialect sqlite (e.g. path: /var/lib/app/app.db)");
    if (dialect === "postgres" && path !== undefined) fields.problem("path", "is for dialect sqlite; postgres takes url");
    if (dialect === "sqlite" && url !== undefined) fields.problem("url", "is for dialect postgres; sqlite takes path");
    const table =
      fields.string("table", { pattern: TABLE_NAME, accepted: "a table name (lower-case letters, digits and _), optionally schema.table" }) ?? "outbox";
    const batchSize = fields.integer("batchSize", 1, 50_000) ?? 5000;
    const claimLeaseMs = fields.integer("claimLeaseMs", 1000, 3_600_000) ?? 30_000;
    const pollIntervalMs = fields.integer("pollIntervalMs", 10, 3_600_000) ?? 1000;
    const maxAttempts = fields.integer("maxAttempts", 1, 1000) ?? 10;
    const retryBackoffMs = fields.integers("retryBackoffMs", 0, 86_400_000) ?? [1000, 5000, 30_000, 120_000];
    const retentionHours = fields.integer("retentionHours", 1, 24 * 3650) ?? 168;
    const upkeepIntervalMs = fields.integer("upkeepIntervalMs", 100, 3_600_000) ?? 15_000;
    if (dialect === "sqlite" && table.includes(".")) fields.problem("table", "SQLite tables have no schema: give the table's name alone");
    fields.rejectUnknown();
    const location = dialect === "postgres" ? url : path;
    if (!dialect || location === undefined) return undefined;
    return {
      dialect,
      location,
      table,
      batchSize,
      claimLeaseMs,
      pollIntervalMs,
      maxAttempts,
      retryBackoffMs,
      retentionMs: retentionHours * 3_600_000,
      upkeepIntervalMs,
    };
  },
  // Debezium's outbox event router: the topic by aggregate type, keyed by aggregate, the row's id,
  // type and headers as headers, the payload as written.
  mappingDefaults: { topic: "outbox.event.${aggregatetype}", key: "${aggregateid}", headers: { id: "${id}", type: "${type}" }, headersFrom: "headers" },
  build(options, deps, pipeline) {
    const store = openStore(options);
    const log = deps.log.child({ pipeline: pipeline.name });
    const source = createSqlOutboxSource({
      store,
      owner: deps.config.relay.instanceId,
      batchSize: options.batchSize,
      leaseMs: options.claimLeaseMs,
      poller: createPoller({ intervalMs: options.pollIntervalMs }),
      retryBackoffMs: options.retryBackoffMs,
      log,
    });
    return {
      source,
      maxAttempts: options.maxAttempts,
      probes: { [`${pipeline.name} ${options.dialect}`]: () => store.ping() },
      background: (signal) =>
        runUpkeep({ store, pipeline: pipeline.name, retentionMs: options.retentionMs, everyMs: options.upkeepIntervalMs, report: deps.report, log, signal }),
      close: () => source.close(),
    };
  },
  migration(options): Migration {
    if (options.dialect === "postgres") {
      const names = tableNames(options.table);
      return {
        target: `${redacted(options.location)} (${options.table})`,
        statements: async () => postgresMigration(names),
        run: () => migratePostgres(options.location, names),
      };
    }
    return {
      target: `${options.location} (${options.table})`,
      statements: () => sqliteStatements(options.location, options.table),
      run: () => migrateSqlite(options.location, options.table),
    };
  },
};

function openStore(options: SqlOutboxOptions): OutboxStore {
  return options.dialect === "postgres"
    ? createPostgresStore({ url: options.location, names: tableNames(options.table) })
    : createSqliteStore({ path: options.location, table: options.table });
}

/** A connection URL without its password, for logs and output. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(the configured database)";
  }
}
