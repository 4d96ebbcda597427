/**
 * What the SQL outbox source needs of its database, one implementation per dialect (postgres.ts,
 * sqlite.ts). Every change is one statement per batch, and applies only to rows this owner still
 * holds the claim of: an instance whose claim lapsed and was taken over changes nothing.
 */

/** A row as a claim returns it. */
export interface ClaimedRow {
  readonly id: string;
  readonly aggregatetype: string;
  readonly aggregateid: string;
  readonly type: string;
  /** The payload as the database gives it back as text (JSON), or null. */
  readonly payload: string | null;
  /** The row's headers column as JSON text, or null. */
  readonly headers: string | null;
  readonly tracingspancontext: string | null;
  /** The order rows were written in. */
  readonly seq: number;
  /** Delivery attempts that failed for the row's own reason so far. */
  readonly attempts: number;
  /** When the row was written, epoch ms. */
  readonly createdAt: number;
}

/**
 * A claimed row from the columns both dialects' claims return (`seq`, `attempts`, `created_at` in
 * epoch ms), whatever types their drivers give.
 */
export function claimedRow(row: Record<string, unknown>): ClaimedRow {
  const text = (value: unknown) => (value === null ? null : String(value));
  return {
    id: String(row.id),
    aggregatetype: String(row.aggregatetype),
    aggregateid: String(row.aggregateid),
    type: String(row.type),
    payload: text(row.payload),
    headers: text(row.headers),
    tracingspancontext: text(row.tracingspancontext),
    seq: Number(row.seq),
    attempts: Number(row.attempts),
    createdAt: row.created_at === null ? Number.NaN : Number(row.created_at),
  };
}

/** Pending rows of one aggregate type, for the metrics. */
export interface Backlog {
  readonly aggregatetype: string;
  readonly pending: number;
  /** When the oldest of them was written, epoch ms. */
  readonly oldestAt: number;
}

export interface OutboxStore {
  /**
   * Claims up to `limit` due rows for `owner` for `leaseMs`, in the order they were written: for
   * each aggregate, its rows from its oldest pending one on, and none of an aggregate whose oldest
   * pending row waits (for a retry, or in another owner's claim). An earlier row in this owner's
   * own claim does not hold the later ones back: the owner delivers its batches one after the
   * other (see source.ts for what it does when an earlier one was not delivered). Claims are
   * serialised, so two owners never claim rows of one aggregate side by side.
   */
  claim(limit: number, owner: string, leaseMs: number): Promise<ClaimedRow[]>;
  /** Rows delivered: processed. */
  delivered(ids: readonly string[], owner: string): Promise<void>;
  /** Rows given up (their DLQ entries written): failed, with why. */
  rejected(rows: readonly { id: string; reason: string }[], owner: string): Promise<void>;
  /** Rows whose delivery failed for their own reason: one attempt more, pending again from `availableAt`. */
  retried(rows: readonly { id: string; reason: string; availableAt: number }[], owner: string): Promise<void>;
  /** Rows not delivered for no fault of theirs: pending again at once, as they were. */
  released(ids: readonly string[], owner: string): Promise<void>;
  /** Failed rows that a DLQ replay delivered: processed; how many it found. */
  redelivered(ids: readonly string[]): Promise<number>;
  /** Deletes at most `limit` rows processed before `before` (epoch ms); how many it deleted. */
  deleteProcessed(before: number, limit: number): Promise<number>;
  /** Pending rows by aggregate type. */
  backlog(): Promise<Backlog[]>;
  /** One round trip to the database, for health. */
  ping(): Promise<void>;
  /** Calls `onChange` soon after rows are committed (a notification, a changed data version); returns how to stop. */
  watch(onChange: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
