import { describe, expect, test } from "bun:test";
import type { Job } from "../../../../src/edge/cli/api-types.ts";
import { filtersText, jobSummary, jobsTable, progressLine } from "../../../../src/edge/cli/job-format.ts";

const job = (fields: Partial<Job>): Job => ({ id: "j-1", state: "running", total: 4, done: 1, failed: 1, remaining: 2, ...fields });

describe("bulk retry jobs", () => {
  test("progress uses the API's own counts", () => {
    expect(progressLine(job({}))).toBe("job j-1 running: done 1, failed 1, remaining 2 of 4");
  });

  test("the summary says what the final state means, then lists each failed entry and why", () => {
    const finished = job({
      state: "partial",
      done: 2,
      failed: 2,
      remaining: 0,
      items: [
        { key: "dlq:menu:a", status: 200, outcome: "retried", published: true },
        { key: "dlq:menu:b", status: 502, outcome: "failed", error: "upstream failed", detail: "kafka refused the record" },
        { key: "dlq:menu:c", status: 422, outcome: "failed", error: "not replayable", detail: "payload cannot be mapped" },
        { key: "dlq:menu:d", status: 200, outcome: "retried", published: true },
      ],
    });
    expect(jobSummary(finished, 120)).toEqual([
      "job j-1 partial: done 2, failed 2, remaining 0 of 4; some entries failed and are still in the DLQ",
      "",
      "KEY         STATUS  ERROR            DETAIL",
      "dlq:menu:b     502  upstream failed  kafka refused the record",
      "dlq:menu:c     422  not replayable   payload cannot be mapped",
    ]);
    expect(jobSummary(job({ state: "succeeded", done: 4, failed: 0, remaining: 0, items: [] }), 120)).toEqual([
      "job j-1 succeeded: done 4, failed 0, remaining 0 of 4; every entry was retried",
    ]);
    expect(jobSummary(job({ state: "abandoned" }), 120)[0]).toContain("the instance running it stopped before the end");
  });

  test("the list of jobs shows who started each, when, its counts and its filters", () => {
    const lines = jobsTable(
      [job({ actor: "alice", createdAt: "2026-12-01T11:00:00.000Z", filters: { prefix: "dlq:menu:", limit: 10, reason: undefined } })],
      new Date("2026-12-01T12:00:00.000Z"),
      120,
    );
    expect(lines).toEqual([
      "ID   STATE    ACTOR  CREATED  TOTAL  DONE  FAILED  FILTERS",
      "j-1  running  alice  1h ago       4     1       1  prefix=dlq:menu: limit=10",
    ]);
    expect(filtersText(undefined)).toBe("");
  });
});
