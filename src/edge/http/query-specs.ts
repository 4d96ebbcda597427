/** The query parameters of each API route that takes any: read by the routes, checked by the guard, described by the OpenAPI document. */
import { duration, flag, scanCursor, text, wholeNumber } from "./query-params.ts";

/** Most entries one bulk replay job takes. */
export const MAX_BULK = 10_000;

export const DLQ_LIST_QUERY = {
  prefix: text("A DLQ prefix (namespace included, e.g. dlq:menu:): only its entries. Absent or empty: every prefix."),
  cursor: scanCursor("Page with SCAN from here (start with 0, then follow nextCursor until it is 0). Absent: every entry up to about 10,000."),
  count: wholeNumber("Entries per page with cursor (the last SCAN page is never cut, so a page may hold a few more).", 1, 1000, 100),
} as const;

/** Which entries: the filters /dlq/entries and a bulk replay share. */
export const ENTRY_FILTERS = {
  pipeline: text("A pipeline's name (GET /pipelines): only its entries. Not with prefix."),
  prefix: text("A DLQ prefix (namespace included, e.g. dlq:menu:): only its entries. Not with pipeline."),
  reason: text("Only entries whose recorded reason contains this text (case-insensitive); entries the Go processor wrote have none."),
  eventType: text("Only entries of this event type (exact); entries the Go processor wrote have none."),
  olderThan: duration("Only entries whose last failure is at least this long ago (30s, 15m, 2h, 7d)."),
  newerThan: duration("Only entries whose last failure is at most this long ago."),
} as const;

export const ENTRIES_QUERY = {
  ...ENTRY_FILTERS,
  cursor: text("The nextCursor of the previous page (opaque)."),
  limit: wholeNumber("Entries per page.", 1, 500, 100),
} as const;

export const BULK_RETRY_QUERY = {
  ...ENTRY_FILTERS,
  limit: wholeNumber("Most entries the job takes, oldest last failure first.", 1, MAX_BULK, 1000),
  ratePerSecond: wholeNumber("Most retries started per second.", 1, 1000, 20),
  dryRun: flag("true: answer which entries would be retried, and change nothing.", false),
} as const;

export const AUDIT_QUERY = {
  limit: wholeNumber("Entries per page, newest first.", 1, 1000, 100),
  before: text("Only entries older than this id (the nextBefore of the previous page).", 64),
} as const;
