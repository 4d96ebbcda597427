/** What the bulk retry commands print about a job: its progress, its outcome, the list of jobs. */
import type { Job, JobItem } from "./api-types.ts";
import { relativeTime } from "./durations.ts";
import { type Column, renderTable } from "./table.ts";

/** `done 12, failed 1, remaining 27 of 40`: the API's own counts, in its words. */
export function countsText(job: Job): string {
  return `done ${job.done}, failed ${job.failed}, remaining ${job.remaining} of ${job.total}`;
}

export function progressLine(job: Job): string {
  return `job ${job.id} ${job.state}: ${countsText(job)}`;
}

/** What each final state means for the entries, for the line that ends a job. */
const OUTCOMES: Record<Job["state"], string> = {
  running: "still running",
  succeeded: "every entry was retried",
  partial: "some entries failed and are still in the DLQ",
  failed: "every entry failed; they are still in the DLQ",
  cancelled: "cancelled; the entries not retried are still in the DLQ",
  abandoned: "the instance running it stopped before the end; the entries not retried are still in the DLQ",
};

/** The job's outcome, then a table of the entries that failed and why. */
export function jobSummary(job: Job, width: number): string[] {
  const lines = [`job ${job.id} ${job.state}: ${countsText(job)}; ${OUTCOMES[job.state]}`];
  const failed = (job.items ?? []).filter((item) => item.outcome !== "retried" && (item.status < 200 || item.status > 299));
  if (failed.length > 0) {
    const columns: Column<JobItem>[] = [
      { header: "KEY", value: (item) => item.key },
      { header: "STATUS", value: (item) => String(item.status), align: "right" },
      { header: "ERROR", value: (item) => item.error ?? item.outcome },
      { header: "DETAIL", value: (item) => item.detail ?? "", fit: true },
    ];
    lines.push("", ...renderTable(columns, failed, width));
  }
  return lines;
}

export function jobsTable(jobs: readonly Job[], now: Date, width: number): string[] {
  const columns: Column<Job>[] = [
    { header: "ID", value: (job) => job.id },
    { header: "STATE", value: (job) => job.state },
    { header: "ACTOR", value: (job) => job.actor ?? "-" },
    { header: "CREATED", value: (job) => relativeTime(job.createdAt, now) },
    { header: "TOTAL", value: (job) => String(job.total), align: "right" },
    { header: "DONE", value: (job) => String(job.done), align: "right" },
    { header: "FAILED", value: (job) => String(job.failed), align: "right" },
    { header: "FILTERS", value: (job) => filtersText(job.filters), fit: true },
  ];
  return renderTable(columns, jobs, width);
}

/** `prefix=dlq:menu: reason=timeout`: the filters a job was started with. */
export function filtersText(filters: Job["filters"]): string {
  return Object.entries(filters ?? {})
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
}
