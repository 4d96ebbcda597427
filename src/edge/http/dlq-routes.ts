/**
 * The DLQ routes (contracts, section 5), compatible with the Go processor's and extended: SCAN
 * paging, metadata beside each item, DELETE, bulk retry, specific error statuses.
 */
import { Elysia } from "elysia";
import type { DlqEntries } from "../../state/dlq-entries.ts";
import type { DlqService } from "../dlq-service.ts";
import type { ApiKeyCheck } from "./api-key.ts";
import { DlqError, invalidPrefix } from "./dlq-errors.ts";
import { type CatalogEntry, knownPrefixes, parseDlqPrefix } from "./dlq-key.ts";

export const API_BASE = "/hobom-event-processor/internal/api/v1";

/** A full listing without a cursor stops here; page with `?cursor=` beyond it. */
const MAX_LISTED = 10_000;
const MAX_BULK = 1000;

export function createDlqRoutes(params: {
  entries: DlqEntries;
  dlq: DlqService;
  namespace: string;
  catalog: readonly CatalogEntry[];
  checkApiKey: ApiKeyCheck;
}) {
  const { entries, dlq, namespace, catalog } = params;
  const retried = (result: { delivered: boolean; settled: "done" | "gone" }) => ({
    message: "DLQ retried and removed from Redis",
    published: result.delivered,
    marked: result.settled === "done" ? "SENT" : "gone",
  });
  return new Elysia({ name: "dlq-routes", prefix: API_BASE })
    .onBeforeHandle(({ headers, set }) => {
      const verdict = params.checkApiKey(headers["x-api-key"]);
      if (!verdict.ok) {
        set.status = 401;
        return { error: "unauthorized", detail: verdict.detail };
      }
    })
    .get("/dlq", async ({ query }) => {
      const prefix = query.prefix;
      const matchPrefixes =
        prefix === undefined || prefix === "" ? knownPrefixes(namespace, catalog) : [`${namespace}${parseDlqPrefix(prefix, namespace, catalog).dlqPrefix}`];
      const cursor = query.cursor === undefined ? undefined : digits(query.cursor, "cursor");
      const count = query.count === undefined ? 100 : bounded(query.count, "count", 1, 1000);
      return entries.list({ matchPrefixes, cursor, count, maxKeys: MAX_LISTED });
    })
    .get("/dlq/:key", async ({ params: { key } }) => {
      const entry = await dlq.get(key);
      return { item: parseStored(entry.value), meta: entry.meta, expiresInSeconds: entry.expiresInSeconds };
    })
    .delete("/dlq/:key", async ({ params: { key } }) => {
      await dlq.remove(key);
      return { message: "DLQ entry removed" };
    })
    .post("/dlq/retry/:key", async ({ params: { key } }) => retried(await dlq.retry(key)))
    .post("/dlq/retry", async ({ query }) => {
      if (!query.prefix) throw invalidPrefix(`give ?prefix= one of ${knownPrefixes(namespace, catalog).join(", ")}`);
      const pipeline = parseDlqPrefix(query.prefix, namespace, catalog);
      const limit = query.limit === undefined ? 100 : bounded(query.limit, "limit", 1, MAX_BULK);
      const { items } = await entries.list({ matchPrefixes: [`${namespace}${pipeline.dlqPrefix}`], count: 1000, maxKeys: limit });
      const results = [];
      for (const key of items.slice(0, limit)) {
        try {
          results.push({ key, status: 200, ...retried(await dlq.retry(key)) });
        } catch (error) {
          if (!(error instanceof DlqError)) throw error;
          results.push({ key, status: error.httpStatus, error: error.code, detail: error.detail });
        }
      }
      const succeeded = results.filter((result) => result.status === 200).length;
      return { retried: succeeded, failed: results.length - succeeded, results };
    });
}

/** The stored JSON (object or array) when it parses, else the stored text as it is. */
function parseStored(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A SCAN cursor is an unsigned 64-bit number: Redis refuses anything larger. */
const MAX_CURSOR = 2n ** 64n - 1n;

function digits(value: string, name: string): string {
  if (!/^\d{1,20}$/.test(value) || BigInt(value) > MAX_CURSOR) throw new DlqError(400, `invalid ${name}`, `${name} is the nextCursor of an earlier page`);
  return value;
}

function bounded(value: string, name: string, min: number, max: number): number {
  const number = /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min && number <= max)) throw new DlqError(400, `invalid ${name}`, `${name} is a whole number from ${min} to ${max}`);
  return number;
}
