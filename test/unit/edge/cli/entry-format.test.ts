import { describe, expect, test } from "bun:test";
import type { EntrySummary, StoredEntry } from "../../../../src/edge/cli/api-types.ts";
import { entriesFooter, entriesTable, entryView, payloadText, retriedLine } from "../../../../src/edge/cli/entry-format.ts";

const NOW = new Date("2026-12-01T12:00:00.000Z");

const relayEntry: EntrySummary = {
  key: "dlq:menu:evt-1",
  pipeline: "message",
  eventId: "evt-1",
  eventType: "MESSAGE",
  reason: "record of 2000000 bytes is larger than HOBOM_KAFKA_MAX_MESSAGE_BYTES (1000000)",
  attempts: 3,
  firstFailedAt: "2026-12-01T08:00:00.000Z",
  lastFailedAt: "2026-12-01T09:00:00.000Z",
  expiresAt: "2026-12-04T08:00:00.000Z",
  replayable: true,
  topic: "hobom.messages",
  bytes: 2_000_000,
};

const goEntry: EntrySummary = {
  key: "dlq:law:old-1",
  pipeline: "law",
  eventId: "old-1",
  eventType: null,
  reason: null,
  attempts: 0,
  firstFailedAt: null,
  lastFailedAt: "2026-11-30T12:00:00.000Z",
  expiresAt: "2026-12-03T12:00:00.000Z",
  replayable: true,
  topic: null,
  bytes: 40,
};

describe("dlq ls", () => {
  test("one aligned row per entry: key, pipeline, attempts, age of the last failure, reason shortened to the width", () => {
    const lines = entriesTable([relayEntry, goEntry], NOW, 100);
    expect(lines).toEqual([
      "KEY             PIPELINE  ATTEMPTS  LAST FAILURE  REASON",
      "dlq:menu:evt-1  message          3  3h ago        record of 2000000 bytes is larger than HOBOM_KAFK…",
      "dlq:law:old-1   law              0  ~1d ago       (no metadata: written by the Go processor)",
    ]);
    expect(lines[1]).toHaveLength(100);
  });

  test("the footer says how many matched and gives the command of the next page", () => {
    const next = (cursor: string) => `hobom-event-processor dlq ls --cursor ${cursor}`;
    expect(entriesFooter({ items: [relayEntry], matched: 1, nextCursor: null }, next)).toBe("1 of 1 matched");
    expect(entriesFooter({ items: [relayEntry], matched: 7, nextCursor: "c2" }, next)).toBe(
      "1 of 7 matched; next page: hobom-event-processor dlq ls --cursor c2",
    );
    expect(entriesFooter({ items: [], matched: 0, nextCursor: null }, next)).toBe("no entry matches");
  });
});

describe("dlq show", () => {
  const stored: StoredEntry = {
    item: { eventId: "evt-1", payload: { title: "환영합니다", tags: ["a"] } },
    meta: {
      pipeline: "message",
      eventId: "evt-1",
      eventType: "MESSAGE",
      topic: "hobom.messages",
      recordKey: "evt-1",
      headers: { "event-id": "evt-1" },
      reason: "too large",
      attempts: 2,
      firstFailedAt: "2026-12-01T08:00:00.000Z",
      lastFailedAt: "2026-12-01T11:00:00.000Z",
      replayable: false,
    },
    expiresInSeconds: 3 * 86_400,
  };

  test("prints every metadata field, the expiry as a span and a time, then the payload pretty-printed", () => {
    expect(entryView("dlq:menu:evt-1", stored, NOW)).toEqual([
      "key:           dlq:menu:evt-1",
      "pipeline:      message",
      "event:         evt-1 (MESSAGE)",
      "topic:         hobom.messages (record key evt-1)",
      "headers:       event-id=evt-1",
      "reason:        too large",
      "attempts:      2",
      "first failed:  2026-12-01T08:00:00.000Z (4h ago)",
      "last failed:   2026-12-01T11:00:00.000Z (1h ago)",
      "replayable:    no: its payload cannot be mapped; fix it at the backend, then dlq rm it",
      "expires:       in 3d (2026-12-04T12:00:00Z)",
      "payload:",
      "{",
      '  "eventId": "evt-1",',
      '  "payload": {',
      '    "title": "환영합니다",',
      '    "tags": [',
      '      "a"',
      "    ]",
      "  }",
      "}",
    ]);
  });

  test("an entry the Go processor wrote says it has no metadata; no TTL says it never expires", () => {
    const lines = entryView("dlq:log:x", { item: [{ message: "m" }], meta: null, expiresInSeconds: null }, NOW);
    expect(lines.slice(0, 3)).toEqual(["key:       dlq:log:x", "metadata:  none: written by the Go processor (the value alone)", "expires:   never (no TTL)"]);
  });

  test("a payload that is not JSON is printed as it is, without control characters", () => {
    expect(payloadText("line 1\r\nline 2\x1b]0;title\x07")).toBe("line 1\nline 2]0;title");
  });
});

describe("a single retry", () => {
  test("says what was published and marked", () => {
    expect(retriedLine("dlq:menu:a", { message: "DLQ retried and removed from Redis", published: true, marked: "SENT" })).toBe(
      "retried dlq:menu:a: published; outbox row marked SENT; entry removed",
    );
    expect(retriedLine("dlq:menu:a", { message: "m", published: false, marked: "gone" })).toBe(
      "retried dlq:menu:a: already delivered earlier, not published again; the outbox row was already gone at the backend; entry removed",
    );
    expect(retriedLine("dlq:law:a", { message: "m", published: false, generated: true, marked: "SENT" })).toBe(
      "retried dlq:law:a: study material generated and saved; outbox row marked SENT; entry removed",
    );
  });
});
