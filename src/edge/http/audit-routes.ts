/** GET /audit: the audit trail, newest first, paged backwards with `before`. */
import { Elysia } from "elysia";
import type { AuditLog } from "../../state/audit-log.ts";
import { invalidParameter } from "./dlq-errors.ts";
import { readQuery } from "./query-params.ts";
import { AUDIT_QUERY } from "./query-specs.ts";
import { API_BASE } from "./route-table.ts";

/** A stream id: `<ms>-<seq>`. */
const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;

export function createAuditRoutes(params: { store: AuditLog }) {
  return new Elysia({ name: "audit-routes", prefix: API_BASE }).get("/audit", async ({ request }) => {
    const { limit, before } = readQuery(AUDIT_QUERY, new URL(request.url).searchParams);
    if (before !== undefined && !ENTRY_ID.test(before))
      throw invalidParameter("before", "before is an entry's id (<ms>-<seq>), the nextBefore of the previous page");
    return params.store.read({ limit, before });
  });
}
