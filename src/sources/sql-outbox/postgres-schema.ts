/**
 * The outbox table in PostgreSQL: the columns Debezium's outbox event router reads (so the code
 * that writes rows need not change), and beside them what the relay needs, all added idempotently
 * so that `migrate` is safe on every deploy. The relay's columns have defaults: an application's
 * INSERT names only Debezium's.
 */

/** A table name, possibly schema-qualified; refused unless it is plain identifiers (it is put in SQL as is). */
export const TABLE_NAME = /^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;

/** The names the statements use for one table. */
export interface TableNames {
  /** As written in SQL: `outbox` or `app.outbox`. */
  readonly table: string;
  /** A prefix for the table's indexes and trigger: `outbox` or `app_outbox`. */
  readonly stem: string;
  /** The NOTIFY channel of the table: `hobom_outbox_app_outbox`. */
  readonly channel: string;
}

export function tableNames(table: string): TableNames {
  if (!TABLE_NAME.test(table)) throw new Error(`"${table}" is not a table name (lower-case letters, digits and _, optionally schema.table)`);
  const stem = table.replace(".", "_");
  return { table, stem, channel: `hobom_outbox_${stem}`.slice(0, 63) };
}

/**
 * The statements of `migrate`, in order. Run under an advisory lock, so that instances deploying
 * together do not race; each is a no-op when what it makes is there already.
 */
export function postgresMigration(names: TableNames): string[] {
  const { table, stem, channel } = names;
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
  id uuid PRIMARY KEY,
  aggregatetype varchar(255) NOT NULL,
  aggregateid varchar(255) NOT NULL,
  type varchar(255) NOT NULL,
  payload jsonb,
  headers jsonb,
  tracingspancontext varchar(256)
)`,
    `ALTER TABLE ${table}
  ADD COLUMN IF NOT EXISTS headers jsonb,
  ADD COLUMN IF NOT EXISTS tracingspancontext varchar(256),
  ADD COLUMN IF NOT EXISTS relay_seq bigserial,
  ADD COLUMN IF NOT EXISTS relay_state text NOT NULL DEFAULT 'pending' CHECK (relay_state IN ('pending', 'processed', 'failed')),
  ADD COLUMN IF NOT EXISTS relay_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS relay_last_error text,
  ADD COLUMN IF NOT EXISTS relay_available_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN IF NOT EXISTS relay_claimed_by text,
  ADD COLUMN IF NOT EXISTS relay_claimed_until timestamptz,
  ADD COLUMN IF NOT EXISTS relay_created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  ADD COLUMN IF NOT EXISTS relay_processed_at timestamptz`,
    // Every row is updated twice (claimed, then marked): room on each page lets the claim's update
    // stay on the page (a HOT update, no index entries), a quarter less claim time in the bench.
    // Only pages written from now on get it.
    `ALTER TABLE ${table} SET (fillfactor = 70)`,
    // The claim: pending rows in the order they were written.
    `CREATE INDEX IF NOT EXISTS ${stem}_relay_pending ON ${table} (relay_seq) WHERE relay_state = 'pending'`,
    // The claim's check that no earlier row of the aggregate waits.
    `CREATE INDEX IF NOT EXISTS ${stem}_relay_aggregate ON ${table} (aggregatetype, aggregateid, relay_seq) WHERE relay_state = 'pending'`,
    // Retention: processed rows by age.
    `CREATE INDEX IF NOT EXISTS ${stem}_relay_processed ON ${table} (relay_processed_at) WHERE relay_state = 'processed'`,
    `CREATE OR REPLACE FUNCTION hobom_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_ARGV[0], '');
  RETURN NULL;
END
$$`,
    // One notification per inserting statement, delivered when its transaction commits.
    `CREATE OR REPLACE TRIGGER ${stem}_relay_notify AFTER INSERT ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION hobom_outbox_notify('${channel}')`,
  ];
}

/** The advisory lock `migrate` holds: one per table name. */
export function migrationLockKey(table: string): string {
  return `hobom-outbox-migrate:${table}`;
}
