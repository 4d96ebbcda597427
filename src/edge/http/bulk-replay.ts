/**
 * Bulk replay jobs, run by the instance that accepted them: the entries one at a time, at most
 * `ratePerSecond` started a second, each result recorded in the job as it comes (replay-jobs.ts),
 * a heartbeat every few seconds. Before each entry the job's state is read, so a cancel from any
 * instance stops it; the entry in flight completes. When this instance stops, its jobs end
 * `cancelled`; when it dies, the heartbeat stops and GET shows them `abandoned`.
 */
import { sleep } from "../../engine/sleep.ts";
import type { Logger } from "../../observability/logger.ts";
import type { JobItem, JobRecord, ReplayJobs } from "../../state/replay-jobs.ts";
import type { DlqService } from "../dlq-service.ts";
import type { Actor } from "./api-key.ts";
import type { AuditTrail } from "./audit-trail.ts";
import { failureOf } from "./audited-dlq.ts";
import { finalState, jobStatus, jobView } from "./job-view.ts";
import { retryAnswer } from "./retry-answer.ts";

export interface BulkReplay {
  /** Records the job for `keys` and starts running it here; resolves with its record once stored. */
  start(request: { actor: Actor; filters: Readonly<Record<string, unknown>>; keys: readonly string[]; ratePerSecond: number }): Promise<JobRecord>;
  /** Stops every job this instance runs: no entry starts after this, each ends cancelled. */
  close(): Promise<void>;
}

export function createBulkReplay(params: {
  jobs: ReplayJobs;
  dlq: DlqService;
  /** The sink kind of a DLQ key's pipeline, for the answer's published/generated. */
  sinkOf: (key: string) => string | undefined;
  audit: AuditTrail;
  log: Logger;
  instanceId: string;
  /** Told how many jobs run here whenever that changes (the gauge). */
  onRunning: (count: number) => void;
  heartbeatMs?: number;
  now?: () => Date;
}): BulkReplay {
  const { jobs, log, audit, now = () => new Date() } = params;
  const heartbeatMs = params.heartbeatMs ?? 5000;
  const running = new Map<string, AbortController>();
  const changed = () => params.onRunning(running.size);

  async function retryOne(key: string): Promise<JobItem> {
    try {
      const { message: _message, ...answer } = retryAnswer(await params.dlq.retry(key), params.sinkOf(key));
      return { key, status: 200, outcome: "retried", ...answer };
    } catch (error) {
      const failure = failureOf(error);
      if (failure.status === 500) log.error("bulk retry: entry failed unexpectedly", { key, error });
      return { key, outcome: "failed", ...failure };
    }
  }

  async function run(job: JobRecord, keys: readonly string[], ratePerSecond: number, stop: AbortController): Promise<void> {
    const jobLog = log.child({ job: job.id });
    const beat = setInterval(() => {
      jobs.heartbeat(job.id, now().toISOString()).then(
        (state) => state !== "running" && stop.abort(),
        (error) => jobLog.warn("bulk retry: heartbeat not stored", { error }),
      );
    }, heartbeatMs);
    const started = performance.now();
    let done = 0;
    let failed = 0;
    try {
      for (const [index, key] of keys.entries()) {
        await sleep(started + (index * 1000) / ratePerSecond - performance.now(), stop.signal);
        if (stop.signal.aborted || (await jobs.heartbeat(job.id, now().toISOString())) !== "running") break;
        const item = await retryOne(key);
        if (item.outcome === "retried") done++;
        else {
          failed++;
          jobLog.warn("bulk retry: entry not retried", { key, status: item.status, error: item.error, detail: item.detail });
        }
        await jobs.recordItem(job.id, item);
      }
      if (done + failed === keys.length) await finish(job, finalState(done, failed), done, failed);
      else await finish(job, "cancelled", done, failed);
    } catch (error) {
      // Redis went away mid-job: the job cannot be recorded; it shows abandoned once its heartbeat is old.
      jobLog.error("bulk retry stopped: its progress cannot be recorded", { error, done, failed });
    } finally {
      clearInterval(beat);
      running.delete(job.id);
      changed();
    }
  }

  async function finish(job: JobRecord, state: "succeeded" | "partial" | "failed" | "cancelled", done: number, failed: number): Promise<void> {
    const had = await jobs.end(job.id, state, now().toISOString());
    // Cancelled meanwhile (by the API or by close): the state stays cancelled.
    const final = had === "running" ? state : "cancelled";
    const notStarted = job.total - done - failed;
    const view = jobView({ ...job, state: final, done, failed }, Date.now());
    await audit.record({
      actor: job.actor,
      action: "dlq.bulk-retry",
      target: job.id,
      outcome: final === "partial" || final === "failed" ? "failed" : "ok",
      status: jobStatus(view),
      detail: `${final}: ${done} retried, ${failed} failed${notStarted > 0 ? `, ${notStarted} not started` : ""} of ${job.total}`,
    });
  }

  return {
    async start({ actor, filters, keys, ratePerSecond }) {
      const createdAt = now().toISOString();
      const id = `j-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
      const job = { id, actor, instance: params.instanceId, createdAt, filters, total: keys.length };
      await jobs.create(job);
      const stop = new AbortController();
      running.set(id, stop);
      changed();
      void run({ ...job, state: "running", finishedAt: null, heartbeatAt: createdAt, done: 0, failed: 0 }, keys, ratePerSecond, stop);
      return { ...job, state: "running", finishedAt: null, heartbeatAt: createdAt, done: 0, failed: 0 };
    },
    async close() {
      const stopping = [...running.entries()];
      for (const [, stop] of stopping) stop.abort();
      await Promise.allSettled(
        stopping.map(async ([id]) => {
          if ((await jobs.end(id, "cancelled", now().toISOString())) === "running") log.warn("bulk retry cancelled: the instance is stopping", { job: id });
        }),
      );
    },
  };
}
