/**
 * The outbox store on SQLite, with Bun's built-in `bun:sqlite`: a claim is one IMMEDIATE
 * transaction (SQLite has one writer at a time, so claims are serialised by the database itself),
 * marks one statement per batch with the ids as a JSON array, and commits by other processes are
 * seen through `PRAGMA data_version`, which changes when another connection commits. WAL mode and
 * a busy timeout let the application write while the relay reads.
 */
import { Database } from "bun:sqlite";
import { DependencyError } from "../../engine/errors.ts";
import { type Backlog, claimedRow, type OutboxStore } from "./store.ts";

/** How often the data version is read for commits by others; a read is a few microseconds. */
const WATCH_EVERY_MS = 50;

export function createSqliteStore(params: { path: string; table: string; busyTimeoutMs?: number }): OutboxStore {
  const { table } = params;
  let db: Database | undefined;
  const open = (): Database => {
    if (db) return db;
    const opened = new Database(params.path, { create: false, readwrite: true, strict: true });
    opened.run(`PRAGMA busy_timeout = ${params.busyTimeoutMs ?? 5000}`);
    db = opened;
    return opened;
  };
  const run = async <T>(what: string, work: (db: Database) => T): Promise<T> => {
    try {
      return work(open());
    } catch (error) {
      const message = (error as Error).message;
      const hint = /no such (table|column)/.test(message) ? " (run `hobom-event-processor migrate` to create the table and the relay's columns)" : "";
      throw new DependencyError("sqlite", `sqlite ${what} on ${params.path} (${table}) failed: ${message}${hint}`, { retriable: !hint, cause: error });
    }
  };
  const json = (values: readonly unknown[]) => JSON.stringify(values);

  return {
    claim: (limit, owner, leaseMs) =>
      run("claim", (db) =>
        db
          .transaction(() => {
            const now = Date.now();
            const rows = db
              .query(
                `SELECT o.rowid AS seq, o.id, o.aggregatetype, o.aggregateid, o.type, o.payload, o.headers, o.tracingspancontext,
  o.relay_attempts AS attempts, o.relay_created_at AS created_at
FROM ${table} o
WHERE o.relay_state = 'pending' AND o.relay_available_at <= $now AND (o.relay_claimed_until IS NULL OR o.relay_claimed_until < $now)
  AND NOT EXISTS (
    SELECT 1 FROM ${table} e
    WHERE e.aggregatetype = o.aggregatetype AND e.aggregateid = o.aggregateid
      AND e.relay_state = 'pending' AND e.rowid < o.rowid
      AND (e.relay_available_at > $now OR (e.relay_claimed_until >= $now AND e.relay_claimed_by IS NOT $owner)))
ORDER BY o.rowid LIMIT $limit`,
              )
              .all({ now, limit, owner }) as Record<string, unknown>[];
            if (rows.length > 0) {
              db.query(`UPDATE ${table} SET relay_claimed_by = $owner, relay_claimed_until = $until WHERE rowid IN (SELECT value FROM json_each($seqs))`).run({
                owner,
                until: now + leaseMs,
                seqs: json(rows.map((row) => row.seq)),
              });
            }
            return rows.map(claimedRow);
          })
          .immediate(),
      ),
    delivered: (ids, owner) =>
      run("mark processed", (db) => {
        db.query(
          `UPDATE ${table} SET relay_state = 'processed', relay_processed_at = $now, relay_claimed_by = NULL, relay_claimed_until = NULL
WHERE id IN (SELECT value FROM json_each($ids)) AND relay_claimed_by = $owner`,
        ).run({ ids: json(ids), owner, now: Date.now() });
      }),
    rejected: (rows, owner) =>
      run("mark failed", (db) => {
        db.query(
          `UPDATE ${table} SET relay_state = 'failed', relay_attempts = relay_attempts + 1, relay_claimed_by = NULL, relay_claimed_until = NULL,
  relay_last_error = (SELECT json_extract(value, '$.reason') FROM json_each($rows) WHERE json_extract(value, '$.id') = ${table}.id)
WHERE id IN (SELECT json_extract(value, '$.id') FROM json_each($rows)) AND relay_claimed_by = $owner`,
        ).run({ rows: json(rows), owner });
      }),
    retried: (rows, owner) =>
      run("mark for retry", (db) => {
        db.query(
          `UPDATE ${table} SET relay_attempts = relay_attempts + 1, relay_claimed_by = NULL, relay_claimed_until = NULL,
  relay_last_error = (SELECT json_extract(value, '$.reason') FROM json_each($rows) WHERE json_extract(value, '$.id') = ${table}.id),
  relay_available_at = (SELECT json_extract(value, '$.availableAt') FROM json_each($rows) WHERE json_extract(value, '$.id') = ${table}.id)
WHERE id IN (SELECT json_extract(value, '$.id') FROM json_each($rows)) AND relay_claimed_by = $owner`,
        ).run({ rows: json(rows), owner });
      }),
    released: (ids, owner) =>
      run("release", (db) => {
        db.query(
          `UPDATE ${table} SET relay_claimed_by = NULL, relay_claimed_until = NULL WHERE id IN (SELECT value FROM json_each($ids)) AND relay_claimed_by = $owner`,
        ).run({
          ids: json(ids),
          owner,
        });
      }),
    redelivered: (ids) =>
      run(
        "mark processed",
        (db) =>
          db
            .query(
              `UPDATE ${table} SET relay_state = 'processed', relay_processed_at = $now, relay_last_error = NULL WHERE id IN (SELECT value FROM json_each($ids)) AND relay_state <> 'processed'`,
            )
            .run({ ids: json(ids), now: Date.now() }).changes,
      ),
    deleteProcessed: (before, limit) =>
      run(
        "retention",
        (db) =>
          db
            .query(
              `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE relay_state = 'processed' AND relay_processed_at < $before LIMIT $limit)`,
            )
            .run({ before, limit }).changes,
      ),
    backlog: () =>
      run("backlog", (db) =>
        (
          db
            .query(
              `SELECT aggregatetype, count(*) AS pending, min(relay_created_at) AS oldest_at FROM ${table} WHERE relay_state = 'pending' GROUP BY aggregatetype`,
            )
            .all() as {
            aggregatetype: string;
            pending: number;
            oldest_at: number | null;
          }[]
        ).map((row): Backlog => ({ aggregatetype: row.aggregatetype, pending: row.pending, oldestAt: row.oldest_at ?? Date.now() })),
      ),
    ping: () =>
      run("ping", (db) => {
        db.query("SELECT 1").get();
      }),
    async watch(onChange) {
      // Another connection's commit changes the data version this connection reads.
      let seen = await run("watch", (db) => (db.query("PRAGMA data_version").get() as { data_version: number }).data_version);
      const timer = setInterval(() => {
        run("watch", (db) => (db.query("PRAGMA data_version").get() as { data_version: number }).data_version).then(
          (version) => {
            if (version === seen) return;
            seen = version;
            onChange();
          },
          () => {},
        );
      }, WATCH_EVERY_MS);
      return async () => clearInterval(timer);
    },
    async close() {
      db?.close();
      db = undefined;
    },
  };
}
