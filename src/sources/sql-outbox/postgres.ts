/**
 * The outbox store on PostgreSQL, with Bun's built-in client (`Bun.sql`): claims in one
 * transaction under an advisory lock (FOR UPDATE SKIP LOCKED keeps them from waiting on rows
 * being marked), marks one statement per batch, and LISTEN on the table's channel for rows just
 * committed. Every failure to reach the database is a DependencyError of "postgres".
 */
import { SQL } from "bun";
import { DependencyError } from "../../engine/errors.ts";
import type { TableNames } from "./postgres-schema.ts";
import { type Backlog, claimedRow, type OutboxStore } from "./store.ts";

/** The advisory lock claims are serialised under, per table: hashtext of this and the table's name. */
const CLAIM_LOCK = "hobom-outbox-claim";

export function createPostgresStore(params: { url: string; names: TableNames; maxConnections?: number; connectTimeoutMs?: number }): OutboxStore {
  const { table, channel } = params.names;
  const sql = new SQL(params.url, { max: params.maxConnections ?? 4, connectionTimeout: Math.ceil((params.connectTimeoutMs ?? 5000) / 1000), idleTimeout: 60 });
  const run = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      const hint = UNMIGRATED.has(sqlState(error)) ? " (run `hobom-event-processor migrate` to create the table and the relay's columns)" : "";
      throw new DependencyError("postgres", `postgres ${what} on ${table} failed: ${(error as Error).message}${hint}`, {
        retriable: retriable(error),
        cause: error,
      });
    }
  };
  const lockKey = `${CLAIM_LOCK}:${table}`;

  return {
    claim: (limit, owner, leaseMs) =>
      run("claim", async () => {
        const rows = await sql.begin(async (tx) => {
          await tx`SELECT pg_advisory_xact_lock(hashtext(${lockKey}))`;
          return tx.unsafe(
            `WITH claim AS (
  SELECT o.id FROM ${table} o
  WHERE o.relay_state = 'pending' AND o.relay_available_at <= now()
    AND (o.relay_claimed_until IS NULL OR o.relay_claimed_until < now())
    AND NOT EXISTS (
      SELECT 1 FROM ${table} e
      WHERE e.aggregatetype = o.aggregatetype AND e.aggregateid = o.aggregateid
        AND e.relay_state = 'pending' AND e.relay_seq < o.relay_seq
        AND (e.relay_available_at > now() OR (e.relay_claimed_until >= now() AND e.relay_claimed_by IS DISTINCT FROM $2)))
  ORDER BY o.relay_seq
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
UPDATE ${table} t SET relay_claimed_by = $2, relay_claimed_until = now() + $3 * interval '1 millisecond'
FROM claim WHERE t.id = claim.id
RETURNING t.id::text, t.aggregatetype, t.aggregateid, t.type, t.payload::text AS payload, t.headers::text AS headers,
  t.tracingspancontext, t.relay_seq::text AS seq, t.relay_attempts AS attempts,
  (extract(epoch from t.relay_created_at) * 1000)::float8 AS created_at`,
            [limit, owner, leaseMs],
          );
        });
        return (rows as Record<string, unknown>[]).map(claimedRow).sort((a, b) => a.seq - b.seq);
      }),
    delivered: (ids, owner) =>
      run("mark processed", async () => {
        if (ids.length === 0) return;
        await sql.unsafe(
          `UPDATE ${table} SET relay_state = 'processed', relay_processed_at = now(), relay_claimed_by = NULL, relay_claimed_until = NULL
WHERE id = ANY($1::uuid[]) AND relay_claimed_by = $2`,
          [ids, owner],
        );
      }),
    rejected: (rows, owner) =>
      run("mark failed", async () => {
        if (rows.length === 0) return;
        await sql.unsafe(
          `UPDATE ${table} t SET relay_state = 'failed', relay_last_error = r.reason, relay_attempts = t.relay_attempts + 1, relay_claimed_by = NULL, relay_claimed_until = NULL
FROM unnest($1::uuid[], $2::text[]) AS r(id, reason) WHERE t.id = r.id AND t.relay_claimed_by = $3`,
          [rows.map((row) => row.id), rows.map((row) => row.reason), owner],
        );
      }),
    retried: (rows, owner) =>
      run("mark for retry", async () => {
        if (rows.length === 0) return;
        await sql.unsafe(
          `UPDATE ${table} t SET relay_attempts = t.relay_attempts + 1, relay_last_error = r.reason, relay_available_at = to_timestamp(r.at / 1000.0),
  relay_claimed_by = NULL, relay_claimed_until = NULL
FROM unnest($1::uuid[], $2::text[], $3::float8[]) AS r(id, reason, at) WHERE t.id = r.id AND t.relay_claimed_by = $4`,
          [rows.map((row) => row.id), rows.map((row) => row.reason), rows.map((row) => row.availableAt), owner],
        );
      }),
    released: (ids, owner) =>
      run("release", async () => {
        if (ids.length === 0) return;
        await sql.unsafe(`UPDATE ${table} SET relay_claimed_by = NULL, relay_claimed_until = NULL WHERE id = ANY($1::uuid[]) AND relay_claimed_by = $2`, [
          ids,
          owner,
        ]);
      }),
    redelivered: (ids) =>
      run("mark processed", async () => {
        const result = await sql.unsafe(
          `UPDATE ${table} SET relay_state = 'processed', relay_processed_at = now(), relay_last_error = NULL WHERE id = ANY($1::uuid[]) AND relay_state <> 'processed'`,
          [ids],
        );
        return (result as { count?: number }).count ?? 0;
      }),
    deleteProcessed: (before, limit) =>
      run("retention", async () => {
        const result = await sql.unsafe(
          `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE relay_state = 'processed' AND relay_processed_at < to_timestamp($1 / 1000.0) LIMIT $2)`,
          [before, limit],
        );
        return (result as { count?: number }).count ?? 0;
      }),
    backlog: () =>
      run("backlog", async () => {
        const rows = (await sql.unsafe(
          `SELECT aggregatetype, count(*)::int AS pending, (extract(epoch from min(relay_created_at)) * 1000)::float8 AS oldest_at
FROM ${table} WHERE relay_state = 'pending' GROUP BY aggregatetype`,
        )) as { aggregatetype: string; pending: number; oldest_at: number }[];
        return rows.map((row): Backlog => ({ aggregatetype: row.aggregatetype, pending: Number(row.pending), oldestAt: Number(row.oldest_at) }));
      }),
    ping: () =>
      run("ping", async () => {
        await sql`SELECT 1`;
      }),
    async watch(onChange) {
      // LISTEN on a connection of its own, reconnected (and re-subscribed) by Bun after a drop.
      // A re-subscription wakes the source, for the rows committed while it was away; the first
      // does not (the source is just starting and has looked already), and the poll is the net.
      let listens = 0;
      const subscription = await run("listen", () =>
        sql.listen(
          channel,
          () => onChange(),
          () => {
            if (listens++ > 0) onChange();
          },
        ),
      );
      return () => subscription.unlisten().catch(() => {});
    },
    close: () => sql.close(),
  };
}

/** SQLSTATEs of a table or column that is not there: migrate was not run. */
const UNMIGRATED = new Set(["42P01", "42703"]);

function sqlState(error: unknown): string {
  return String((error as { errno?: unknown }).errno ?? "");
}

/** Errors of the statement itself (a missing column: migrate was not run) are not retriable; losing the server is. */
function retriable(error: unknown): boolean {
  // SQLSTATE classes 42 (syntax, undefined table or column) and 22 (data) do not heal by waiting.
  return !/^(42|22)/.test(sqlState(error));
}
