/**
 * `migrate` for an outbox table: creates it when missing and adds what the relay needs, each step
 * a no-op when done already, so that it is safe on every deploy. PostgreSQL runs it in one
 * transaction under an advisory lock (instances deploying together take turns); SQLite adds only
 * the columns the table lacks (it has no ADD COLUMN IF NOT EXISTS).
 */
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { migrationLockKey, postgresMigration, type TableNames } from "./postgres-schema.ts";
import { sqliteMigration } from "./sqlite-schema.ts";

export async function migratePostgres(url: string, names: TableNames): Promise<void> {
  const sql = new SQL(url, { max: 1 });
  try {
    await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext(${migrationLockKey(names.table)}))`;
      for (const statement of postgresMigration(names)) await tx.unsafe(statement);
    });
  } finally {
    await sql.close();
  }
}

/** What migrate would run on the SQLite file now (all of it for a file or table not there yet). */
export async function sqliteStatements(path: string, table: string): Promise<string[]> {
  return sqliteMigration(table, columnsOf(path, table, false));
}

export async function migrateSqlite(path: string, table: string): Promise<void> {
  const db = new Database(path, { create: true, readwrite: true, strict: true });
  try {
    // WAL lets the application write while the relay reads; it is a setting of the file.
    db.run("PRAGMA journal_mode = WAL");
    db.transaction(() => {
      for (const statement of sqliteMigration(table, columnsOf(db, table))) db.run(statement);
    }).immediate();
  } finally {
    db.close();
  }
}

function columnsOf(source: Database | string, table: string, create = true): Set<string> {
  if (typeof source === "string") {
    let db: Database;
    try {
      db = new Database(source, { readonly: !create, create });
    } catch {
      return new Set();
    }
    try {
      return columnsOf(db, table);
    } finally {
      db.close();
    }
  }
  return new Set((source.query(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((column) => column.name));
}
