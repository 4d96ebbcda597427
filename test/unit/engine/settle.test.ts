import { describe, expect, test } from "bun:test";
import { OPEN_FENCE } from "../../../src/relay/fence.ts";
import { createOnce } from "../../../src/relay/once.ts";
import { BackendCallError, MappingError, RecordTooLargeError, RedisError } from "../../../src/errors.ts";
import { silentLogger } from "../../../src/observability/logger.ts";
import type { Pipeline } from "../../../src/pipelines/pipeline.ts";
import { PIPELINES } from "../../../src/pipelines/table.ts";
import type { PipelineContext } from "../../../src/relay/context.ts";
import { createSettler } from "../../../src/relay/settle.ts";
import { outboxRow } from "../pipelines/payloads.ts";
import { createWorld, deferred, flush } from "./fakes.ts";

const NOW = new Date("2024-05-06T07:08:09Z");
const message = PIPELINES.find((pipeline) => pipeline.name === "message") as Pipeline;
const grpcError = (code: string) => new BackendCallError("hobom-space-backend", "PatchOutboxMarkAsSentUseCase", code, "", { retriable: code === "UNAVAILABLE" });

function setup(markConcurrency = 4) {
  const world = createWorld();
  const context: PipelineContext = {
    pipeline: message,
    source: world.outbox,
    ledger: world.ledger,
    dlq: world.dlq,
    log: silentLogger,
    metrics: world.metrics,
    markConcurrency,
    fence: OPEN_FENCE,
    once: createOnce(),
    now: () => NOW,
  };
  const rows = ["e1", "e2", "e3"].map((eventId) => outboxRow(eventId, "MESSAGE", {}));
  world.outbox.add(...rows);
  return { ...world, settler: createSettler(context), rows };
}

describe("createSettler", () => {
  test("marks delivered rows SENT and reports no failure", async () => {
    const { settler, outbox, rows, metrics } = setup();
    settler.markSent(rows);
    expect(await settler.drain()).toEqual({ markFailures: 0 });
    expect(rows.map((row) => outbox.statusOf(row.eventId))).toEqual(["SENT", "SENT", "SENT"]);
    expect(metrics.count("message", "marked_sent")).toBe(3);
  });

  test("keeps at most markConcurrency marks in flight", async () => {
    const { settler, outbox, rows } = setup(2);
    const gate = deferred();
    let inFlight = 0;
    let most = 0;
    const markSent = outbox.markSent.bind(outbox);
    outbox.markSent = async (eventId) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await gate.promise;
      inFlight--;
      return markSent(eventId);
    };
    settler.markSent(rows);
    await flush();
    expect(inFlight).toBe(2);
    gate.resolve();
    await settler.drain();
    expect(most).toBe(2);
  });

  test("treats NOT_FOUND and FAILED_PRECONDITION on mark SENT as settled", async () => {
    const { settler, outbox, rows, metrics } = setup();
    outbox.markSentErrors.set("e1", { error: grpcError("NOT_FOUND") });
    outbox.markSentErrors.set("e2", { error: grpcError("FAILED_PRECONDITION") });
    settler.markSent(rows);
    expect(await settler.drain()).toEqual({ markFailures: 0 });
    expect(metrics.dependencyErrors).toEqual([]);
  });

  test("counts other mark failures and leaves those rows PENDING", async () => {
    const { settler, outbox, rows, metrics } = setup();
    outbox.markSentErrors.set("e2", { error: grpcError("UNAVAILABLE") });
    outbox.markSentErrors.set("e3", { error: new Error("socket closed") });
    settler.markSent(rows);
    expect(await settler.drain()).toEqual({ markFailures: 2 });
    expect(rows.map((row) => outbox.statusOf(row.eventId))).toEqual(["SENT", "PENDING", "PENDING"]);
    expect(metrics.dependencyErrors).toEqual(["grpc", "grpc"]);
  });

  test("writes the DLQ entry before marking the row FAILED, with why and where", async () => {
    const { settler, outbox, dlq, timeline, rows, metrics } = setup();
    const error = new RecordTooLargeError(2_000_000, 1_000_000);
    await settler.deadLetter({ row: rows[0]!, value: '{"v":1}', error, recordKey: "e1" }, "hobom.messages");
    expect(timeline).toEqual(["dlq:dlq:menu:e1", "markFailed:e1"]);
    expect(dlq.letters).toEqual([
      {
        pipeline: "message",
        prefix: "dlq:menu:",
        eventId: "e1",
        eventType: "MESSAGE",
        value: '{"v":1}',
        reason: error.message,
        topic: "hobom.messages",
        recordKey: "e1",
        replayable: true,
        failedAt: NOW,
      },
    ]);
    expect(outbox.statusOf("e1")).toBe("FAILED");
    expect(outbox.failedReasons.get("e1")).toBe(error.message);
    expect(metrics.count("message", "dead_lettered")).toBe(1);
    expect(metrics.count("message", "marked_failed")).toBe(1);
  });

  test("does not mark the row FAILED when the DLQ write fails: it stays PENDING", async () => {
    const { settler, outbox, dlq, timeline, rows, metrics } = setup();
    dlq.putError = new RedisError("connection refused");
    await settler.deadLetter({ row: rows[0]!, value: "{}", error: new MappingError("no payload") });
    expect(timeline).toEqual(["dlq-failed:e1"]);
    expect(outbox.statusOf("e1")).toBe("PENDING");
    expect(metrics.dependencyErrors).toEqual(["redis"]);
  });

  test("keeps the DLQ entry when mark FAILED fails, without throwing", async () => {
    const { settler, outbox, dlq, rows } = setup();
    outbox.markFailedError = grpcError("UNAVAILABLE");
    await settler.deadLetter({ row: rows[0]!, value: "{}", error: new MappingError("no payload") });
    expect(dlq.letters).toHaveLength(1);
    expect(dlq.letters[0]?.replayable).toBe(false);
    expect(outbox.statusOf("e1")).toBe("PENDING");
  });
});
