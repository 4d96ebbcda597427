/**
 * Outbox tables for tests, each its own: a PostgreSQL schema of its own on the machine's server
 * (HOBOM_TEST_POSTGRES_URL), or a SQLite file of its own, migrated as `migrate` does it. Rows are
 * written as an application writes them: Debezium's columns only, on a connection of the test's.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { migratePostgres, migrateSqlite } from "../../src/sources/sql-outbox/migrate.ts";
import { createPostgresStore } from "../../src/sources/sql-outbox/postgres.ts";
import { tableNames } from "../../src/sources/sql-outbox/postgres-schema.ts";
import { createSqliteStore } from "../../src/sources/sql-outbox/sqlite.ts";
import type { OutboxStore } from "../../src/sources/sql-outbox/store.ts";

export const POSTGRES_URL = process.env.HOBOM_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface OutboxRowInput {
  readonly aggregatetype?: string;
  readonly aggregateid?: string;
  readonly type?: string;
  /** JSON text, or null. */
  readonly payload?: string | null;
  readonly headers?: string | null;
  readonly id?: string;
}

export interface RowState {
  readonly state: "pending" | "processed" | "failed";
  readonly attempts: number;
  readonly lastError: string | null;
  readonly claimedBy: string | null;
}

export interface TestOutbox {
  readonly dialect: "postgres" | "sqlite";
  /** As a pipelines file names it: `schema.outbox`, or `outbox`. */
  readonly table: string;
  /** The url (postgres) or path (sqlite) a pipelines file gives. */
  readonly location: string;
  /** A store on it, as the relay opens one. */
  store(): OutboxStore;
  /** Writes rows in one transaction, in order; resolves with their ids. */
  insert(rows: readonly OutboxRowInput[]): Promise<string[]>;
  state(id: string): Promise<RowState | undefined>;
  /** Runs a statement of the test's (e.g. to age rows). */
  exec(statement: string): Promise<void>;
  drop(): Promise<void>;
}

const row = (input: OutboxRowInput, index: number) => ({
  id: input.id ?? crypto.randomUUID(),
  aggregatetype: input.aggregatetype ?? "order",
  aggregateid: input.aggregateid ?? `order-${index}`,
  type: input.type ?? "OrderPlaced",
  payload: input.payload === undefined ? JSON.stringify({ n: index }) : input.payload,
  headers: input.headers ?? null,
});

/** A table in a schema of its own on `url` (default: the machine's server). */
export async function postgresOutbox(prefix = "outbox", url = POSTGRES_URL): Promise<TestOutbox> {
  const schema = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.replace(/[^a-z0-9_]/g, "_");
  const table = `${schema}.outbox`;
  const sql = new SQL(url, { max: 2 });
  await sql.unsafe(`CREATE SCHEMA ${schema}`);
  await migratePostgres(url, tableNames(table));
  return {
    dialect: "postgres",
    table,
    location: url,
    store: () => createPostgresStore({ url, names: tableNames(table) }),
    async insert(rows) {
      const values = rows.map(row);
      if (values.length === 0) return [];
      await sql.begin(async (tx) => {
        for (let start = 0; start < values.length; start += 1000) {
          const chunk = values.slice(start, start + 1000);
          await tx.unsafe(
            `INSERT INTO ${table} (id, aggregatetype, aggregateid, type, payload, headers)
SELECT id, aggregatetype, aggregateid, type, payload::jsonb, headers::jsonb
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS r(id, aggregatetype, aggregateid, type, payload, headers)`,
            [
              chunk.map((v) => v.id),
              chunk.map((v) => v.aggregatetype),
              chunk.map((v) => v.aggregateid),
              chunk.map((v) => v.type),
              chunk.map((v) => v.payload),
              chunk.map((v) => v.headers),
            ],
          );
        }
      });
      return values.map((value) => value.id);
    },
    async state(id) {
      const [found] = (await sql.unsafe(`SELECT relay_state, relay_attempts, relay_last_error, relay_claimed_by FROM ${table} WHERE id = $1`, [id])) as Record<
        string,
        unknown
      >[];
      return (
        found && {
          state: found.relay_state as RowState["state"],
          attempts: Number(found.relay_attempts),
          lastError: found.relay_last_error as string | null,
          claimedBy: found.relay_claimed_by as string | null,
        }
      );
    },
    exec: async (statement) => void (await sql.unsafe(statement)),
    async drop() {
      await sql.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await sql.close();
    },
  };
}

export async function sqliteOutbox(_prefix?: string): Promise<TestOutbox> {
  const dir = mkdtempSync(join(tmpdir(), "outbox-"));
  const path = join(dir, "app.db");
  await migrateSqlite(path, "outbox");
  const db = new Database(path, { strict: true });
  db.run("PRAGMA busy_timeout = 5000");
  const insert = db.query(
    "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload, headers) VALUES ($id, $aggregatetype, $aggregateid, $type, $payload, $headers)",
  );
  return {
    dialect: "sqlite",
    table: "outbox",
    location: path,
    store: () => createSqliteStore({ path, table: "outbox" }),
    async insert(rows) {
      const values = rows.map(row);
      db.transaction(() => {
        for (const value of values) insert.run(value);
      }).immediate();
      return values.map((value) => value.id);
    },
    async state(id) {
      const found = db.query("SELECT relay_state, relay_attempts, relay_last_error, relay_claimed_by FROM outbox WHERE id = $id").get({ id }) as Record<
        string,
        unknown
      > | null;
      return found
        ? {
            state: found.relay_state as RowState["state"],
            attempts: Number(found.relay_attempts),
            lastError: found.relay_last_error as string | null,
            claimedBy: found.relay_claimed_by as string | null,
          }
        : undefined;
    },
    exec: async (statement) => void db.run(statement),
    async drop() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const OUTBOX_DIALECTS = [
  ["postgres", postgresOutbox],
  ["sqlite", sqliteOutbox],
] as const;
