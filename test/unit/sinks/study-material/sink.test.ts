import { describe, expect, test } from "bun:test";
import { OPEN_FENCE } from "../../../src/relay/fence.ts";
import { createOnce } from "../../../src/relay/once.ts";
import { BackendCallError, RedisError } from "../../../src/errors.ts";
import { silentLogger } from "../../../src/observability/logger.ts";
import type { LawPipeline } from "../../../src/pipelines/pipeline.ts";
import { PIPELINES } from "../../../src/pipelines/table.ts";
import { type LawPipelineContext, runLawCycle } from "../../../src/relay/law-cycle.ts";
import { rawRow } from "../../../src/relay/records.ts";
import { lawPayload, outboxRow } from "../pipelines/payloads.ts";
import { createWorld } from "./fakes.ts";

const law = PIPELINES.find((pipeline) => pipeline.name === "law") as LawPipeline;
const grpc = (code: string, retriable: boolean) => new BackendCallError("hobom-llm-service-backend", "Generate", code, "", { retriable });

function setup(options: { attempts?: number } = {}) {
  const world = createWorld();
  const controller = new AbortController();
  const context: LawPipelineContext = {
    pipeline: law,
    source: world.outbox,
    ledger: world.ledger,
    dlq: world.dlq,
    log: silentLogger,
    metrics: world.metrics,
    markConcurrency: 4,
    fence: OPEN_FENCE,
    once: createOnce(),
    now: () => new Date("2024-05-06T07:08:09Z"),
    studyMaterial: world.studyMaterial,
    generateAttempts: options.attempts ?? 3,
    generateBackoffMs: [1, 2],
  };
  return { ...world, controller, cycle: () => runLawCycle(context, controller.signal) };
}

const lawRow = (eventId: string, diffId = `diff-${eventId}`) => outboxRow(eventId, "LAW_CHANGED", lawPayload({ diffId }));

describe("runLawCycle", () => {
  test("generates, saves, records the save and then marks the row SENT", async () => {
    const { outbox, studyMaterial, timeline, ledger, cycle } = setup();
    outbox.add(lawRow("l1"));
    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(timeline).toEqual(["find:LAW_CHANGED", "generate", "save:diff-l1", "record:l1", "markSent:l1"]);
    expect(studyMaterial.generated).toEqual([{ changes: lawPayload().changes }]);
    expect(studyMaterial.saved).toEqual([
      { diffId: "diff-l1", summary: "summary", keyPoints: ["point"], quizzes: [{ type: "OX", question: "q?", answer: "O", explanation: "because", choices: [] }] },
    ]);
    expect(ledger.has("law", "l1")).toBe(true);
    expect(outbox.statusOf("l1")).toBe("SENT");
  });

  test("retries Generate as configured and saves once it answers", async () => {
    const { outbox, studyMaterial, cycle } = setup();
    outbox.add(lawRow("l1"));
    const ok = studyMaterial.generateBehaviour;
    studyMaterial.generateBehaviour = (request, call) => {
      if (call < 2) throw grpc("UNAVAILABLE", true);
      return ok(request, call);
    };
    await cycle();
    expect(studyMaterial.generated).toHaveLength(3);
    expect(studyMaterial.saved).toHaveLength(1);
    expect(outbox.statusOf("l1")).toBe("SENT");
  });

  test("after the last Generate attempt, dead-letters the LawChangedPayload JSON and then marks the row FAILED", async () => {
    const { outbox, studyMaterial, dlq, timeline, cycle } = setup();
    outbox.add(lawRow("l1", "diff-9"));
    studyMaterial.generateBehaviour = () => {
      throw grpc("UNAVAILABLE", true);
    };
    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(studyMaterial.generated).toHaveLength(3);
    expect(studyMaterial.saved).toEqual([]);
    expect(dlq.letters).toHaveLength(1);
    expect(dlq.letters[0]).toMatchObject({ pipeline: "law", prefix: "dlq:law:", eventId: "l1", eventType: "LAW_CHANGED", replayable: true });
    expect(dlq.letters[0]?.value).toBe('{"diffId":"diff-9","changes":[{"articleNo":"제1조","changeType":"MODIFIED","before":"old text","after":"new text"}]}');
    expect(timeline.slice(-2)).toEqual(["dlq:dlq:law:l1", "markFailed:l1"]);
    expect(outbox.statusOf("l1")).toBe("FAILED");
  });

  test("does not retry a Generate refusal that cannot change", async () => {
    const { outbox, studyMaterial, dlq, cycle } = setup({ attempts: 5 });
    outbox.add(lawRow("l1"));
    studyMaterial.generateBehaviour = () => {
      throw grpc("INVALID_ARGUMENT", false);
    };
    await cycle();
    expect(studyMaterial.generated).toHaveLength(1);
    expect(dlq.letters.map((letter) => letter.eventId)).toEqual(["l1"]);
  });

  test("leaves the row PENDING when the DLQ write after Generate fails", async () => {
    const { outbox, studyMaterial, dlq, timeline, cycle } = setup();
    outbox.add(lawRow("l1"));
    studyMaterial.generateBehaviour = () => {
      throw grpc("UNAVAILABLE", true);
    };
    dlq.putError = new RedisError("connection refused");
    await cycle();
    expect(outbox.statusOf("l1")).toBe("PENDING");
    expect(timeline.some((entry) => entry.startsWith("markFailed"))).toBe(false);
  });

  test("takes an INTERNAL answer to the save as already saved and marks the row SENT", async () => {
    const { outbox, studyMaterial, dlq, ledger, cycle } = setup();
    outbox.add(lawRow("l1"));
    studyMaterial.saveBehaviour = () => {
      throw new BackendCallError("for-hobom-backend", "SaveStudyMaterial", "INTERNAL", "duplicate key", { retriable: false });
    };
    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(outbox.statusOf("l1")).toBe("SENT");
    expect(ledger.has("law", "l1")).toBe(true);
    expect(dlq.letters).toEqual([]);
  });

  test("leaves the row PENDING and fails the cycle when the save fails otherwise", async () => {
    const { outbox, studyMaterial, dlq, ledger, cycle } = setup();
    outbox.add(lawRow("l1"));
    const down = new BackendCallError("for-hobom-backend", "SaveStudyMaterial", "UNAVAILABLE", "", { retriable: true });
    studyMaterial.saveBehaviour = () => {
      throw down;
    };
    expect(await cycle()).toEqual({ status: "failed", error: down });
    expect(outbox.statusOf("l1")).toBe("PENDING");
    expect(ledger.has("law", "l1")).toBe(false);
    expect(dlq.letters).toEqual([]);
  });

  test("goes on with the rows after one whose save failed", async () => {
    const { outbox, studyMaterial, cycle } = setup();
    outbox.add(lawRow("l1"), lawRow("l2"), lawRow("l3"));
    const down = new BackendCallError("for-hobom-backend", "SaveStudyMaterial", "DEADLINE_EXCEEDED", "", { retriable: true });
    studyMaterial.saveBehaviour = (request) => {
      if (request.diffId === "diff-l1") throw down;
    };
    expect(await cycle()).toEqual({ status: "failed", error: down });
    expect(studyMaterial.saved.map((request) => request.diffId)).toEqual(["diff-l1", "diff-l2", "diff-l3"]);
    expect(["l1", "l2", "l3"].map((eventId) => outbox.statusOf(eventId))).toEqual(["PENDING", "SENT", "SENT"]);
  });

  test("only marks a row whose save is recorded: no Generate, no second save", async () => {
    const { outbox, studyMaterial, ledger, cycle } = setup();
    outbox.add(lawRow("l1"));
    await ledger.record("law", ["l1"]);
    expect((await cycle()).status).toBe("done");
    expect(studyMaterial.generated).toEqual([]);
    expect(studyMaterial.saved).toEqual([]);
    expect(outbox.statusOf("l1")).toBe("SENT");
  });

  test("after a save whose mark failed, the next cycle marks the row SENT without saving again", async () => {
    const { outbox, studyMaterial, cycle } = setup();
    outbox.add(lawRow("l1"));
    outbox.markSentErrors.set("l1", { error: new BackendCallError("for-hobom-backend", "PatchOutboxMarkAsSentUseCase", "UNAVAILABLE", "", { retriable: true }) });
    await cycle();
    expect(outbox.statusOf("l1")).toBe("PENDING");
    await cycle();
    expect(outbox.statusOf("l1")).toBe("SENT");
    expect(studyMaterial.saved).toHaveLength(1);
    expect(studyMaterial.generated).toHaveLength(1);
  });

  test("marks the row SENT even when recording the save fails", async () => {
    const { outbox, ledger, cycle } = setup();
    outbox.add(lawRow("l1"));
    ledger.recordError = new RedisError("connection refused");
    expect((await cycle()).status).toBe("done");
    expect(outbox.statusOf("l1")).toBe("SENT");
  });

  test("dead-letters a row without payload as the raw row", async () => {
    const { outbox, studyMaterial, dlq, cycle } = setup();
    const bare = outboxRow("l1", "LAW_CHANGED", null);
    outbox.add(bare);
    await cycle();
    expect(studyMaterial.generated).toEqual([]);
    expect(dlq.letters[0]).toMatchObject({ prefix: "dlq:law:", value: rawRow(bare), replayable: false });
    expect(outbox.statusOf("l1")).toBe("FAILED");
  });

  test("when stopped during Generate, neither dead-letters the row nor starts the next one", async () => {
    const { outbox, studyMaterial, dlq, controller, cycle } = setup();
    outbox.add(lawRow("l1"), lawRow("l2"));
    studyMaterial.generateBehaviour = () => {
      controller.abort();
      throw grpc("CANCELLED", true);
    };
    await cycle();
    expect(studyMaterial.generated).toHaveLength(1);
    expect(dlq.letters).toEqual([]);
    expect([outbox.statusOf("l1"), outbox.statusOf("l2")]).toEqual(["PENDING", "PENDING"]);
  });
});
