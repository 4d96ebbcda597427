import { describe, expect, test } from "bun:test";
import { finalState, jobStatus, jobView } from "../../../../src/edge/http/job-view.ts";
import type { JobRecord } from "../../../../src/state/replay-jobs.ts";

const NOW = Date.parse("2026-12-01T10:00:00.000Z");
const job = (fields: Partial<JobRecord>): JobRecord => ({
  id: "j-1",
  state: "running",
  actor: "alice",
  instance: "host-1",
  createdAt: "2026-12-01T09:59:00.000Z",
  finishedAt: null,
  heartbeatAt: "2026-12-01T09:59:55.000Z",
  filters: {},
  total: 10,
  done: 0,
  failed: 0,
  ...fields,
});

describe("jobView", () => {
  test("says what remains, and a running job whose heartbeat is over 30 s old is abandoned", () => {
    expect(jobView(job({ done: 3, failed: 2 }), NOW)).toMatchObject({ state: "running", remaining: 5 });
    expect(jobView(job({ heartbeatAt: "2026-12-01T09:59:30.000Z" }), NOW).state).toBe("running");
    expect(jobView(job({ heartbeatAt: "2026-12-01T09:59:29.000Z" }), NOW).state).toBe("abandoned");
    expect(jobView(job({ state: "cancelled", heartbeatAt: "2026-12-01T09:00:00.000Z" }), NOW).state).toBe("cancelled");
  });

  test("answers 200 while running and when every entry was retried, 207 when some failed, 502 when all did", () => {
    const status = (fields: Partial<JobRecord>) => jobStatus(jobView(job(fields), NOW));
    expect([status({}), status({ state: "succeeded" }), status({ state: "partial" }), status({ state: "failed" }), status({ state: "cancelled" })]).toEqual([
      200, 200, 207, 502, 200,
    ]);
    expect([finalState(0, 0), finalState(3, 0), finalState(3, 1), finalState(0, 4)]).toEqual(["succeeded", "succeeded", "partial", "failed"]);
  });
});
