/**
 * Bulk replay (`POST /dlq/retry?…`, the Go processor's route, now a job) and its jobs: a dry run
 * answers what would be retried and changes nothing; otherwise a job is started here and any
 * instance answers for it (`GET /dlq/jobs/:id`, 200/207/502 by outcome) or cancels it (`DELETE`).
 */
import { Elysia } from "elysia";
import type { DlqSearch } from "../../state/dlq-search.ts";
import type { ReplayJobs } from "../../state/replay-jobs.ts";
import type { Actor } from "./api-key.ts";
import type { AuditTrail } from "./audit-trail.ts";
import type { BulkReplay } from "./bulk-replay.ts";
import { DlqError, jobFinished, jobNotFound } from "./dlq-errors.ts";
import type { CatalogEntry } from "./dlq-key.ts";
import { searchFilter } from "./entry-filters.ts";
import { entryView } from "./entry-view.ts";
import { jobStatus, jobView } from "./job-view.ts";
import { readQuery } from "./query-params.ts";
import { BULK_RETRY_QUERY } from "./query-specs.ts";
import { API_BASE } from "./route-table.ts";

/** How many jobs GET /dlq/jobs lists. */
const LISTED_JOBS = 50;
const JOB_ID = /^j-[a-z0-9-]{1,64}$/;

export function createJobRoutes(params: {
  search: DlqSearch;
  jobs: ReplayJobs;
  bulk: BulkReplay;
  audit: AuditTrail;
  namespace: string;
  catalog: readonly CatalogEntry[];
  actorOf: (request: Request) => Actor;
  now?: () => number;
}) {
  const { search, jobs, bulk, audit, namespace, catalog, actorOf, now = Date.now } = params;
  const jobId = (id: string) => {
    if (!JOB_ID.test(id)) throw new DlqError(400, "invalid job id", "a job id is j-… as the 202 of a bulk retry gave it (GET /dlq/jobs lists them)");
    return id;
  };
  return new Elysia({ name: "job-routes", prefix: API_BASE })
    .post("/dlq/retry", async ({ request, set }) => {
      const given = new URL(request.url).searchParams;
      const values = readQuery(BULK_RETRY_QUERY, given);
      const filter = searchFilter(values, { namespace, catalog, now: now(), route: "POST /dlq/retry", required: true });
      const page = await search.search(filter, { limit: values.limit });
      const actor = actorOf(request);
      const filters = { ...Object.fromEntries([...given].filter(([name]) => name !== "dryRun")), limit: values.limit, ratePerSecond: values.ratePerSecond };
      if (values.dryRun) {
        await audit.record({
          actor,
          action: "dlq.bulk-retry.dry-run",
          target: null,
          outcome: "dry-run",
          status: 200,
          detail: `${page.matched} matched, ${page.items.length} would be retried; ${JSON.stringify(filters)}`,
        });
        return { dryRun: true, matched: page.matched, items: page.items.map((found) => entryView(found, namespace, catalog)) };
      }
      const job = await bulk.start({ actor, filters, keys: page.items.map((found) => found.key), ratePerSecond: values.ratePerSecond });
      await audit.record({
        actor,
        action: "dlq.bulk-retry",
        target: job.id,
        outcome: "ok",
        status: 202,
        detail: `started: ${job.total} of ${page.matched} matched; ${JSON.stringify(filters)}`,
      });
      const location = `${API_BASE}/dlq/jobs/${job.id}`;
      set.status = 202;
      set.headers.location = location;
      return { job: jobView(job, now()), location };
    })
    .get("/dlq/jobs", async () => ({ items: (await jobs.list(LISTED_JOBS)).map((job) => jobView(job, now())) }))
    .get("/dlq/jobs/:id", async ({ params: { id }, set }) => {
      const record = await jobs.get(jobId(id));
      if (!record) throw jobNotFound();
      const view = jobView(record, now(), await jobs.items(id));
      set.status = jobStatus(view);
      return view;
    })
    .delete("/dlq/jobs/:id", async ({ params: { id }, request }) => {
      const actor = actorOf(request);
      const had = await jobs.end(jobId(id), "cancelled", new Date(now()).toISOString());
      const refusal = had === undefined ? jobNotFound() : had !== "running" ? jobFinished(had) : undefined;
      if (refusal) {
        await audit.record({
          actor,
          action: "dlq.job.cancel",
          target: id,
          outcome: "failed",
          status: refusal.httpStatus,
          detail: `${refusal.code}: ${refusal.detail}`,
        });
        throw refusal;
      }
      const record = await jobs.get(id);
      await audit.record({
        actor,
        action: "dlq.job.cancel",
        target: id,
        outcome: "ok",
        status: 200,
        detail: record ? `${record.done} retried, ${record.failed} failed of ${record.total}` : null,
      });
      return record ? jobView(record, now()) : { id, state: "cancelled" };
    });
}
