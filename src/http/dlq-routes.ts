/**
 * The DLQ routes (contracts, section 5), compatible with the Go processor's and extended: SCAN
 * paging, metadata beside each item, DELETE, bulk retry, specific error statuses.
 */
import { Elysia } from "elysia";
import { DlqError, invalidPrefix } from "../dlq/dlq-errors.ts";
import type { DlqEntries } from "../dlq/dlq-entries.ts";
import { knownPrefixes, parseDlqKey, parseDlqPrefix } from "../dlq/dlq-key.ts";
import type { ReplayService } from "../dlq/replay.ts";
import type { ApiKeyCheck } from "./api-key.ts";

export const API_BASE = "/hobom-event-processor/internal/api/v1";

/** A full listing without a cursor stops here; page with `?cursor=` beyond it. */
const MAX_LISTED = 10_000;
const MAX_BULK = 1000;

export function createDlqRoutes(params: { entries: DlqEntries; replay: ReplayService; namespace: string; checkApiKey: ApiKeyCheck }) {
  const { entries, replay, namespace } = params;
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
      const matchPrefixes = prefix === undefined || prefix === "" ? knownPrefixes(namespace) : [`${namespace}${parseDlqPrefix(prefix, namespace).dlqPrefix}`];
      const cursor = query.cursor === undefined ? undefined : digits(query.cursor, "cursor");
      const count = query.count === undefined ? 100 : bounded(query.count, "count", 1, 1000);
      return entries.list({ matchPrefixes, cursor, count, maxKeys: MAX_LISTED });
    })
    .get("/dlq/:key", async ({ params: { key } }) => {
      parseDlqKey(key, namespace);
      const entry = await entries.get(key);
      return { item: parseStored(entry.value), meta: entry.meta, expiresInSeconds: entry.expiresInSeconds };
    })
    .delete("/dlq/:key", async ({ params: { key } }) => {
      parseDlqKey(key, namespace);
      await entries.remove(key);
      return { message: "DLQ entry removed" };
    })
    .post("/dlq/retry/:key", async ({ params: { key } }) => {
      const result = await replay.retry(key);
      return { message: "DLQ retried and removed from Redis", published: result.published, marked: result.marked };
    })
    .post("/dlq/retry", async ({ query }) => {
      if (!query.prefix) throw invalidPrefix(`give ?prefix= one of ${knownPrefixes(namespace).join(", ")}`);
      const pipeline = parseDlqPrefix(query.prefix, namespace);
      const limit = query.limit === undefined ? 100 : bounded(query.limit, "limit", 1, MAX_BULK);
      const { items } = await entries.list({ matchPrefixes: [`${namespace}${pipeline.dlqPrefix}`], count: 1000, maxKeys: limit });
      const results = [];
      for (const key of items.slice(0, limit)) {
        try {
          const result = await replay.retry(key);
          results.push({ key, status: 200, message: "DLQ retried and removed from Redis", published: result.published, marked: result.marked });
        } catch (error) {
          if (!(error instanceof DlqError)) throw error;
          results.push({ key, status: error.httpStatus, error: error.code, detail: error.detail });
        }
      }
      const retried = results.filter((result) => result.status === 200).length;
      return { retried, failed: results.length - retried, results };
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
