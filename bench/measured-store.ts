/**
 * An outbox table for the benchmark: the test doubles' {@link OutboxStore} (already indexed by
 * eventId, so 100,000 marks stay linear) plus what the benchmark measures: when each row was
 * marked SENT, and how many rows are still pending. Everything else (Find order, dates, what a
 * mark does to a row) is the test double's own code.
 */
import { type NewRow, OutboxStore, type OutboxStoreOptions, type StoredRow } from "../test/support/backends/outbox-store.ts";
import { wallClockMs } from "./clock.ts";

export class MeasuredOutboxStore<P> extends OutboxStore<P> {
  /** Wall-clock ms (sub-ms precision) at which each row was marked SENT, by eventId. */
  readonly sentAtMs = new Map<string, number>();
  #pending = 0;

  constructor(options: OutboxStoreOptions) {
    super(options);
  }

  /** Rows added and not yet marked SENT or FAILED (rows added as PENDING only). */
  get pendingCount(): number {
    return this.#pending;
  }

  /** Rows marked SENT since the table was created or cleared. */
  get sentCount(): number {
    return this.sentAtMs.size;
  }

  override add(input: NewRow<P>): StoredRow<P> {
    const row = super.add(input);
    if (row.status === "PENDING") this.#pending++;
    return row;
  }

  override markSent(row: StoredRow<P>): void {
    if (row.status === "PENDING") this.#pending--;
    super.markSent(row);
    if (!this.sentAtMs.has(row.eventId)) this.sentAtMs.set(row.eventId, wallClockMs());
  }

  override markFailed(row: StoredRow<P>, errorMessage: string): void {
    if (row.status === "PENDING") this.#pending--;
    super.markFailed(row, errorMessage);
  }

  override clear(): void {
    super.clear();
    this.sentAtMs.clear();
    this.#pending = 0;
  }
}
