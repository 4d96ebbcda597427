/**
 * An in-memory outbox table: the rows a HoBom backend's database holds, which its Find reads and its
 * Patch updates. Tests add rows at any moment while the double runs and inspect them afterwards.
 */
import { randomUUID } from "node:crypto";

export type OutboxStatus = "PENDING" | "SENT" | "FAILED";

/** The statuses the backends know; any other status in a Find request is "unknown". */
export const OUTBOX_STATUSES: readonly OutboxStatus[] = Object.freeze(["PENDING", "SENT", "FAILED"]);

/** One row as the database holds it: dates are `Date`s, and `null` where the column is NULL. */
export interface StoredRow<P> {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  /** `null` is a real case: a row whose payload column is empty reaches the wire without one. */
  readonly payload: P | null;
  status: OutboxStatus;
  retryCount: number;
  sentAt: Date | null;
  failedAt: Date | null;
  lastError: string | null;
  version: number;
  readonly createdAt: Date;
  updatedAt: Date;
}

/** What a test passes to {@link OutboxStore.add}; only the payload must be given. */
export interface NewRow<P> {
  payload: P | null;
  /** Defaults to the table's event type; required for tables that hold several. */
  eventType?: string;
  /** Defaults to a random UUID. */
  eventId?: string;
  status?: OutboxStatus;
  /** Defaults to what the backend writes for a new row of this event type. */
  retryCount?: number;
  lastError?: string | null;
  /** Defaults to "now, later than every row added before": override to add a row that sorts earlier. */
  createdAt?: Date;
}

export interface OutboxStoreOptions {
  /** The event type of rows added without one: most tables hold a single type. */
  defaultEventType?: string;
  /** The retryCount a new row starts with; the backends disagree (contracts, section 4). */
  initialRetryCount: (eventType: string) => number;
}

export class OutboxStore<P> {
  readonly #rows: StoredRow<P>[] = [];
  /** Marks look rows up by eventId: a scan would make 100,000 marks quadratic. */
  readonly #byEventId = new Map<string, StoredRow<P>>();
  readonly #options: OutboxStoreOptions;
  #nextId = 1;

  constructor(options: OutboxStoreOptions) {
    this.#options = options;
  }

  /** Inserts a row and returns it (the live row: later marks show up on it). */
  add(input: NewRow<P>): StoredRow<P> {
    const eventType = input.eventType ?? this.#options.defaultEventType;
    if (eventType === undefined) throw new Error("this outbox holds several event types: pass eventType");
    const createdAt = input.createdAt ?? nextCreationTime();
    const status = input.status ?? "PENDING";
    const row: StoredRow<P> = {
      id: String(this.#nextId++),
      eventId: input.eventId ?? randomUUID(),
      eventType,
      payload: input.payload,
      status,
      retryCount: input.retryCount ?? this.#options.initialRetryCount(eventType),
      // A row set up as already sent or failed gets the timestamp a mark would have given it.
      sentAt: status === "SENT" ? createdAt : null,
      failedAt: status === "FAILED" ? createdAt : null,
      lastError: input.lastError ?? null,
      version: 1,
      createdAt,
      updatedAt: createdAt,
    };
    this.#rows.push(row);
    // The first row of an eventId is the one a lookup finds, as a scan in insertion order would.
    if (!this.#byEventId.has(row.eventId)) this.#byEventId.set(row.eventId, row);
    return row;
  }

  /** The row with this eventId, if the table has one. */
  get(eventId: string): StoredRow<P> | undefined {
    return this.#byEventId.get(eventId);
  }

  /** Every row, in insertion order (the order a table scan without ORDER BY returns). */
  rows(): readonly StoredRow<P>[] {
    return [...this.#rows];
  }

  /** The rows in this status, in insertion order. */
  byStatus(status: OutboxStatus): StoredRow<P>[] {
    return this.#rows.filter((row) => row.status === status);
  }

  /** The rows a Find for (eventType, status) matches, in insertion order; the backend sorts and limits. */
  matching(eventType: string, status: string): StoredRow<P>[] {
    return this.#rows.filter((row) => row.eventType === eventType && row.status === status);
  }

  /** What MarkAsSent does to a row. */
  markSent(row: StoredRow<P>): void {
    const now = new Date();
    row.status = "SENT";
    row.sentAt = now;
    row.version += 1;
    row.updatedAt = now;
  }

  /** What MarkAsFailed does to a row. */
  markFailed(row: StoredRow<P>, errorMessage: string): void {
    const now = new Date();
    row.status = "FAILED";
    row.failedAt = now;
    row.lastError = errorMessage;
    row.retryCount += 1;
    // The backends' ORMs bump the version column on every update, not only on MarkAsSent.
    row.version += 1;
    row.updatedAt = now;
  }

  /** Empties the table, for reuse of one double across tests. */
  clear(): void {
    this.#rows.length = 0;
    this.#byEventId.clear();
  }
}

let lastCreationMs = 0;

/**
 * "Now", but always at least 1 ms after the previous row's creation (across every table), so that
 * rows added in one tick still have a defined createdAt order for the backends that sort by it.
 */
function nextCreationTime(): Date {
  lastCreationMs = Math.max(Date.now(), lastCreationMs + 1);
  return new Date(lastCreationMs);
}

/** Makes the tables of a double; the benchmark passes one that makes measuring tables. */
export type TableFactory = <P>(options: OutboxStoreOptions) => OutboxStore<P>;

export const plainTables: TableFactory = (options) => new OutboxStore(options);
