import { expect, test } from "bun:test";
import { auditTable } from "../../../../src/edge/cli/audit-format.ts";

test("the audit trail is a table of exact times, who, what, the outcome and the detail", () => {
  const lines = auditTable(
    [
      {
        id: "2-0",
        at: "2026-12-01T10:00:05.000Z",
        actor: "key:3f2a9c1b0d4e",
        action: "auth.refused",
        target: null,
        outcome: "refused",
        status: 401,
        detail: null,
      },
      {
        id: "1-0",
        at: "2026-12-01T10:00:00.000Z",
        actor: "alice",
        action: "dlq.retry",
        target: "dlq:menu:e1",
        outcome: "ok",
        status: 200,
        detail: "published",
      },
    ],
    120,
  );
  expect(lines).toEqual([
    "AT                        ACTOR             ACTION        OUTCOME  STATUS  TARGET       DETAIL",
    "2026-12-01T10:00:05.000Z  key:3f2a9c1b0d4e  auth.refused  refused     401  -",
    "2026-12-01T10:00:00.000Z  alice             dlq.retry     ok          200  dlq:menu:e1  published",
  ]);
});
