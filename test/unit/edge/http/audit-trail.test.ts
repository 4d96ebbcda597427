import { describe, expect, test } from "bun:test";
import { createAuditTrail } from "../../../../src/edge/http/audit-trail.ts";
import { createLogger } from "../../../../src/observability/logger.ts";
import type { AuditLog, AuditRecord } from "../../../../src/state/audit-log.ts";

function setup(options: { failing?: boolean } = {}) {
  const stored: AuditRecord[] = [];
  const lines: { level: string; msg: string; [field: string]: unknown }[] = [];
  let clock = Date.parse("2026-12-01T10:00:00.000Z");
  const store: AuditLog = {
    append: async (record) => {
      if (options.failing) throw new Error("redis: XADD failed");
      stored.push(record);
      return `${stored.length}-0`;
    },
    read: async () => ({ items: [], nextBefore: null }),
  };
  const trail = createAuditTrail({
    log: createLogger({ level: "debug", write: (line) => void lines.push(JSON.parse(line)) }),
    store,
    now: () => new Date(clock),
  });
  return { trail, stored, lines, advance: (ms: number) => (clock += ms) };
}

describe("createAuditTrail", () => {
  test("logs each record with its fields, info for successes, warn for failures, and stores it", async () => {
    const { trail, stored, lines } = setup();
    await trail.record({ actor: "alice", action: "dlq.retry", target: "dlq:menu:e1", outcome: "ok", status: 200, detail: "published=true marked=SENT" });
    await trail.record({ actor: "alice", action: "dlq.delete", target: "dlq:menu:e2", outcome: "failed", status: 404, detail: "DLQ not found" });
    expect(stored.map((record) => [record.action, record.at])).toEqual([
      ["dlq.retry", "2026-12-01T10:00:00.000Z"],
      ["dlq.delete", "2026-12-01T10:00:00.000Z"],
    ]);
    expect(lines.map((line) => [line.level, line.msg, line.action, line.status])).toEqual([
      ["info", "audit", "dlq.retry", 200],
      ["warn", "audit", "dlq.delete", 404],
    ]);
  });

  test("stores at most 10 refusals a second and logs every one, saying which were not stored", async () => {
    const { trail, stored, lines, advance } = setup();
    for (let i = 0; i < 15; i++) trail.refused({ actor: "anonymous", detail: "missing or wrong x-api-key", route: "GET /dlq" });
    await Bun.sleep(0);
    expect(stored).toHaveLength(10);
    expect(lines.filter((line) => line.level === "warn" && line.action === "auth.refused")).toHaveLength(15);
    expect(lines.filter((line) => line.stored === false)).toHaveLength(5);
    advance(1000);
    trail.refused({ actor: "anonymous", detail: "missing or wrong x-api-key", route: "GET /dlq" });
    await Bun.sleep(0);
    expect(stored).toHaveLength(11);
  });

  test("a store that fails never fails the request: the log line stays, with a warning that it is the only record", async () => {
    const { trail, lines } = setup({ failing: true });
    await trail.record({ actor: "alice", action: "dlq.delete", target: "dlq:menu:e1", outcome: "ok", status: 200, detail: null });
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ["info", "audit"],
      ["warn", "audit entry not stored; the log line above is its only record"],
    ]);
  });
});
