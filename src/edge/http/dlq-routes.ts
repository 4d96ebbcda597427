/**
 * The DLQ routes (contracts, section 5), compatible with the Go processor's and extended: SCAN
 * paging, metadata beside each item, DELETE, the searchable listing from the index, specific
 * error statuses. The api key and strictness are the guard's (guard.ts); bulk retry is
 * job-routes.ts.
 */
import { Elysia } from "elysia";
import type { DlqEntries } from "../../state/dlq-entries.ts";
import type { DlqSearch } from "../../state/dlq-search.ts";
import type { Actor } from "./api-key.ts";
import type { AuditedDlq } from "./audited-dlq.ts";
import { type CatalogEntry, knownPrefixes, parseDlqPrefix } from "./dlq-key.ts";
import { searchFilter } from "./entry-filters.ts";
import { entryView } from "./entry-view.ts";
import { readQuery } from "./query-params.ts";
import { DLQ_LIST_QUERY, ENTRIES_QUERY } from "./query-specs.ts";
import { API_BASE } from "./route-table.ts";
import { decodeCursor, encodeCursor } from "./search-cursor.ts";

export { API_BASE } from "./route-table.ts";

/** A full listing without a cursor stops here; page with `?cursor=` beyond it. */
const MAX_LISTED = 10_000;

export function createDlqRoutes(params: {
  entries: DlqEntries;
  dlq: AuditedDlq;
  search: DlqSearch;
  namespace: string;
  catalog: readonly CatalogEntry[];
  actorOf: (request: Request) => Actor;
  now?: () => number;
}) {
  const { entries, dlq, search, namespace, catalog, actorOf, now = Date.now } = params;
  const query = (request: Request) => new URL(request.url).searchParams;
  return new Elysia({ name: "dlq-routes", prefix: API_BASE })
    .get("/dlq", async ({ request }) => {
      const { prefix, cursor, count } = readQuery(DLQ_LIST_QUERY, query(request));
      const matchPrefixes =
        prefix === undefined || prefix === "" ? knownPrefixes(namespace, catalog) : [`${namespace}${parseDlqPrefix(prefix, namespace, catalog).dlqPrefix}`];
      return entries.list({ matchPrefixes, cursor, count, maxKeys: MAX_LISTED });
    })
    .get("/dlq/entries", async ({ request }) => {
      const values = readQuery(ENTRIES_QUERY, query(request));
      const filter = searchFilter(values, { namespace, catalog, now: now(), route: "GET /dlq/entries", required: false });
      const after = values.cursor === undefined || values.cursor === "" ? undefined : decodeCursor(values.cursor);
      const page = await search.search(filter, { after, limit: values.limit });
      return {
        items: page.items.map((found) => entryView(found, namespace, catalog)),
        nextCursor: page.next === null ? null : encodeCursor(page.next),
        matched: page.matched,
      };
    })
    .get("/dlq/:key", async ({ params: { key } }) => {
      const entry = await dlq.get(key);
      return { item: parseStored(entry.value), meta: entry.meta, expiresInSeconds: entry.expiresInSeconds };
    })
    .delete("/dlq/:key", async ({ params: { key }, request }) => {
      await dlq.remove(key, actorOf(request));
      return { message: "DLQ entry removed" };
    })
    .post("/dlq/retry/:key", async ({ params: { key }, request }) => dlq.retry(key, actorOf(request)));
}

/** The stored JSON (object or array) when it parses, else the stored text as it is. */
function parseStored(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
