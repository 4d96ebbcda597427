/**
 * An application writing its outbox the way an application does: one transaction at a time, a
 * few rows each, at a steady rate, and when the database is away, the same transaction again until
 * it commits. What it remembers is what was committed, in commit order: the truth the relay's
 * deliveries are checked against.
 */
import { SQL } from "bun";

export interface WrittenRow {
  readonly id: string;
  readonly aggregatetype: string;
  readonly aggregateid: string;
  /** When its transaction committed, epoch ms. */
  readonly committedAt: number;
}

export interface OutboxWriter {
  /** Committed rows, in commit order. */
  readonly rows: readonly WrittenRow[];
  /** Resolves when every row was committed. */
  readonly done: Promise<void>;
}

export function writeOutbox(params: {
  url: string;
  table: string;
  rows: number;
  perSecond: number;
  aggregateTypes: readonly string[];
  aggregates: number;
  /** Makes some rows poison (e.g. a payload over the record size limit). */
  payloadOf?: (index: number) => string;
}): OutboxWriter {
  const sql = new SQL(params.url, { max: 1, connectionTimeout: 2 });
  const rows: WrittenRow[] = [];
  const perTransaction = 5;
  const pause = (1000 * perTransaction) / params.perSecond;
  const done = (async () => {
    const started = performance.now();
    for (let index = 0; index < params.rows; index += perTransaction) {
      const batch = Array.from({ length: Math.min(perTransaction, params.rows - index) }, (_, offset) => {
        const n = index + offset;
        return {
          id: crypto.randomUUID(),
          aggregatetype: params.aggregateTypes[n % params.aggregateTypes.length] as string,
          aggregateid: `agg-${n % params.aggregates}`,
          payload: params.payloadOf?.(n) ?? JSON.stringify({ n, at: Date.now() }),
        };
      });
      for (;;) {
        try {
          await sql.begin(async (tx) => {
            for (const row of batch) {
              await tx.unsafe(`INSERT INTO ${params.table} (id, aggregatetype, aggregateid, type, payload) VALUES ($1, $2, $3, 'Changed', $4::jsonb)`, [
                row.id,
                row.aggregatetype,
                row.aggregateid,
                row.payload,
              ]);
            }
          });
          break;
        } catch {
          // The database is away (restarting): the transaction did not commit; try it again.
          await Bun.sleep(100);
        }
      }
      const committedAt = Date.now();
      for (const row of batch) rows.push({ id: row.id, aggregatetype: row.aggregatetype, aggregateid: row.aggregateid, committedAt });
      const due = started + ((index + perTransaction) / perTransaction) * pause;
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
    }
    await sql.close();
  })();
  return { rows, done };
}
