/**
 * A bulk replay job as the API shows it: its record with what remains, `abandoned` for a job
 * whose instance stopped beating (it died mid-job), and the HTTP status of GET /dlq/jobs/:id.
 */
import type { JobItem, JobRecord } from "../../state/replay-jobs.ts";

/** A running job whose heartbeat is older than this is abandoned: its instance died. */
export const ABANDONED_AFTER_MS = 30_000;

export type JobView = Omit<JobRecord, "state"> & {
  readonly state: JobRecord["state"] | "abandoned";
  readonly remaining: number;
  readonly items?: readonly JobItem[];
};

export function jobView(record: JobRecord, now: number, items?: readonly JobItem[]): JobView {
  const abandoned = record.state === "running" && now - Date.parse(record.heartbeatAt) > ABANDONED_AFTER_MS;
  return {
    ...record,
    state: abandoned ? "abandoned" : record.state,
    remaining: Math.max(record.total - record.done - record.failed, 0),
    ...(items !== undefined && { items }),
  };
}

/** 207 when it finished with some entries failed, 502 when every one failed, 200 otherwise (running, cancelled, abandoned, all retried, none to retry). */
export function jobStatus(view: JobView): 200 | 207 | 502 {
  if (view.state === "partial") return 207;
  if (view.state === "failed") return 502;
  return 200;
}

/** The final state of a job that went through every entry. */
export function finalState(done: number, failed: number): "succeeded" | "partial" | "failed" {
  if (failed === 0) return "succeeded";
  return done === 0 ? "failed" : "partial";
}
