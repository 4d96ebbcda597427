/**
 * The answers of the HTTP API the dlq commands read, as the API contract of issue 13 and the
 * README's HTTP API define them. Only the fields the command line prints are relied on; `--json`
 * prints the answer as it came, whatever else it holds.
 */

/** One entry of `GET /dlq/entries` and of a dry run. Entries the Go processor wrote have no metadata: nulls, 0 attempts. */
export interface EntrySummary {
  readonly key: string;
  readonly pipeline: string;
  readonly eventId: string;
  readonly eventType: string | null;
  readonly reason: string | null;
  readonly attempts: number;
  readonly firstFailedAt: string | null;
  /** Estimated from the remaining TTL for entries without metadata. */
  readonly lastFailedAt: string | null;
  readonly expiresAt: string | null;
  readonly replayable: boolean;
  readonly topic?: string | null;
  readonly bytes?: number;
}

export interface EntryPage {
  readonly items: readonly EntrySummary[];
  readonly nextCursor: string | null;
  readonly matched: number;
}

/** `GET /dlq/:key`. */
export interface StoredEntry {
  /** The stored JSON (object or array), or the stored text when it is not JSON. */
  readonly item: unknown;
  readonly meta: {
    readonly pipeline: string;
    readonly eventId: string;
    readonly eventType: string;
    readonly topic: string;
    readonly recordKey: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly reason: string;
    readonly attempts: number;
    readonly firstFailedAt: string;
    readonly lastFailedAt: string;
    readonly replayable: boolean;
  } | null;
  readonly expiresInSeconds: number | null;
}

/** `POST /dlq/retry/:key`. */
export interface RetryAnswer {
  readonly message: string;
  readonly published: boolean;
  readonly marked: string;
  /** Law entries: the study material was generated (law never goes to Kafka). */
  readonly generated?: boolean;
}

export interface DryRunAnswer {
  readonly dryRun: true;
  readonly matched: number;
  readonly items: readonly EntrySummary[];
}

export type JobState = "running" | "succeeded" | "partial" | "failed" | "cancelled" | "abandoned";

export interface JobItem {
  readonly key: string;
  readonly status: number;
  readonly outcome: string;
  readonly published?: boolean;
  readonly error?: string;
  readonly detail?: string;
}

export interface Job {
  readonly id: string;
  readonly state: JobState;
  readonly actor?: string;
  readonly createdAt?: string;
  readonly finishedAt?: string | null;
  readonly filters?: Readonly<Record<string, unknown>>;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly remaining: number;
  /** Absent in the list of jobs. */
  readonly items?: readonly JobItem[];
}

/** `POST /dlq/retry?…` (not a dry run): 202. */
export interface JobStarted {
  readonly job: Job;
  readonly location: string;
}

export interface JobList {
  readonly items: readonly Job[];
}

export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly outcome: string;
  readonly status: number | null;
  readonly detail: string | null;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  readonly nextBefore: string | null;
}

/** The filters of `GET /dlq/entries` and of a bulk retry, by their query parameter names. */
export interface EntryFilters {
  readonly prefix?: string;
  readonly pipeline?: string;
  readonly reason?: string;
  readonly eventType?: string;
  readonly olderThan?: string;
  readonly newerThan?: string;
}
