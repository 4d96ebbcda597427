/**
 * The outbox table in SQLite: Debezium's columns (payload and headers as JSON text) and the
 * relay's beside them, added idempotently. SQLite adds a column only with a constant default, so
 * the time a row was written comes from a trigger; the order rows were written in is the rowid.
 */

/** The statements that create what is missing, given the columns the table has now (empty: no table). */
export function sqliteMigration(table: string, columns: ReadonlySet<string>): string[] {
  const statements: string[] = [];
  if (columns.size === 0) {
    statements.push(`CREATE TABLE ${table} (
  id TEXT PRIMARY KEY,
  aggregatetype TEXT NOT NULL,
  aggregateid TEXT NOT NULL,
  type TEXT NOT NULL,
  payload TEXT,
  headers TEXT,
  tracingspancontext TEXT
)`);
  }
  const added: [string, string][] = [
    ["headers", "TEXT"],
    ["tracingspancontext", "TEXT"],
    ["relay_state", "TEXT NOT NULL DEFAULT 'pending' CHECK (relay_state IN ('pending', 'processed', 'failed'))"],
    ["relay_attempts", "INTEGER NOT NULL DEFAULT 0"],
    ["relay_last_error", "TEXT"],
    ["relay_available_at", "INTEGER NOT NULL DEFAULT 0"],
    ["relay_claimed_by", "TEXT"],
    ["relay_claimed_until", "INTEGER"],
    ["relay_created_at", "INTEGER"],
    ["relay_processed_at", "INTEGER"],
  ];
  for (const [column, type] of added) {
    if (columns.size === 0 && (column === "headers" || column === "tracingspancontext")) continue;
    if (!columns.has(column)) statements.push(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
  // Every SQLite index ends with the rowid: these serve the claim's "in rowid order" as well.
  statements.push(
    `CREATE INDEX IF NOT EXISTS ${table}_relay_pending ON ${table} (relay_state)`,
    `CREATE INDEX IF NOT EXISTS ${table}_relay_aggregate ON ${table} (aggregatetype, aggregateid, relay_state)`,
    `CREATE INDEX IF NOT EXISTS ${table}_relay_processed ON ${table} (relay_state, relay_processed_at)`,
    `CREATE TRIGGER IF NOT EXISTS ${table}_relay_created AFTER INSERT ON ${table} WHEN NEW.relay_created_at IS NULL
BEGIN
  UPDATE ${table} SET relay_created_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) WHERE rowid = NEW.rowid;
END`,
  );
  return statements;
}
