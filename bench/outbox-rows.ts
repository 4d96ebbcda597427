/**
 * Outbox rows for the bench: an `order` aggregate type, 1,000 aggregates, a payload of the size
 * an order event has (~190 bytes of JSON), written the way an application writes them. The text
 * is PostgreSQL's jsonb rendering (a space after each colon and comma), which is what the relay
 * reads back and sends, so that the raw kafkajs limit produces records of the same size.
 */
import type { SQL } from "bun";

export function outboxPayload(n: number): string {
  return `{"sku": "SKU-${String(n % 9973).padStart(5, "0")}", "total": ${(n % 997) + 0.5}, "orderId": "order-${n % 1000}", "currency": "EUR", "customer": "customer-${n % 4099}@example.com", "quantity": ${(n % 7) + 1}, "placedAt": "2026-12-01T10:00:00.000Z"}`;
}

/** Inserts rows n = from … from+count−1 in transactions of `perTransaction` rows. */
export async function insertOutboxRows(sql: SQL, table: string, from: number, count: number, perTransaction = 5_000): Promise<void> {
  for (let start = from; start < from + count; start += perTransaction) {
    const size = Math.min(perTransaction, from + count - start);
    const ns = Array.from({ length: size }, (_, index) => start + index);
    await sql.unsafe(
      `INSERT INTO ${table} (id, aggregatetype, aggregateid, type, payload)
SELECT gen_random_uuid(), 'order', r.aggregateid, 'OrderPlaced', r.payload::jsonb FROM unnest($1::text[], $2::text[]) AS r(aggregateid, payload)`,
      [ns.map((n) => `order-${n % 1000}`), ns.map(outboxPayload)],
    );
  }
}
