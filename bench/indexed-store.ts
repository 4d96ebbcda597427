/**
 * An outbox table for the benchmark: the test doubles' {@link OutboxStore} with an index by eventId
 * and a count of SENT rows. The test store finds a row by scanning every row, which is right for a
 * test with ten rows and quadratic for 100,000 marks (about 5·10⁹ comparisons): the double, not
 * the relay, would be what the benchmark measures. Everything else (Find order, dates, what a
 * mark does to a row) is the test double's own code.
 */
import { OutboxStore, type NewRow, type OutboxStoreOptions, type StoredRow } from "../test/support/backends/outbox-store.ts";
import { wallClockMs } from "./clock.ts";

export class IndexedOutboxStore<P> extends OutboxStore<P> {
  readonly #byEventId = new Map<string, StoredRow<P>>();
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
    this.#byEventId.set(row.eventId, row);
    if (row.status === "PENDING") this.#pending++;
    return row;
  }

  override get(eventId: string): StoredRow<P> | undefined {
    return this.#byEventId.get(eventId);
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
    this.#byEventId.clear();
    this.sentAtMs.clear();
    this.#pending = 0;
  }
}
