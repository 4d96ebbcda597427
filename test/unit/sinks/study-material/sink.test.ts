import { describe, expect, test } from "bun:test";
import { type CycleContext, type CycleOutcome, runCycle } from "../../../../src/engine/cycle.ts";
import { PermanentEventError, RetriesExhaustedError } from "../../../../src/engine/errors.ts";
import { OPEN_FENCE } from "../../../../src/engine/fence.ts";
import { createOnce } from "../../../../src/engine/once.ts";
import { BackendCallError } from "../../../../src/grpc/status.ts";
import { lawCodec } from "../../../../src/hobom/codecs/law-codec.ts";
import { rawRow } from "../../../../src/hobom/codecs/rows.ts";
import type { LawChangedPayload } from "../../../../src/hobom/wire-types.ts";
import { silentLogger } from "../../../../src/observability/logger.ts";
import { createStudyMaterialSink } from "../../../../src/sinks/study-material/sink.ts";
import { RedisError } from "../../../../src/state/errors.ts";
import { createWorld, FakeStudyMaterialService } from "../../engine/fakes.ts";
import { lawPayload, outboxEvent } from "../../hobom/payloads.ts";

const NOW = new Date("2024-05-06T07:08:09Z");
const grpc = (code: string, retriable: boolean) => new BackendCallError("hobom-llm-service-backend", "Generate", code, "", { retriable });
const MATERIAL = {
  diffId: "",
  summary: "summary",
  keyPoints: ["point"],
  quizzes: [{ type: "OX", question: "q?", answer: "O", explanation: "because", choices: [] }],
};

function setup(options: { attempts?: number } = {}) {
  const world = createWorld();
  const controller = new AbortController();
  const sink = createStudyMaterialSink({ service: world.studyMaterial, generateAttempts: options.attempts ?? 3, generateBackoffMs: [1, 2], log: silentLogger });
  const context: CycleContext<LawChangedPayload> = {
    pipeline: { name: "law", dlqPrefix: "dlq:law:" },
    codec: lawCodec(),
    sink,
    ledger: world.ledger,
    dlq: world.dlq,
    log: silentLogger,
    metrics: world.metrics,
    fence: OPEN_FENCE,
    once: createOnce(),
    now: () => NOW,
  };
  const cycle = async (): Promise<CycleOutcome> => {
    const { settled, ...outcome } = await runCycle(context, await world.source.take(), controller.signal);
    await settled;
    return outcome;
  };
  return { ...world, sink, controller, cycle };
}

const lawEvent = (eventId: string, diffId = `diff-${eventId}`) => outboxEvent(eventId, "LAW_CHANGED", lawPayload({ diffId }));

describe("createStudyMaterialSink", () => {
  test("takes one event per delivery and is not idempotent, so the engine records each save before the row is settled", () => {
    const { sink } = setup();
    expect(sink.limits.maxEvents).toBe(1);
    expect(sink.limits.maxBytes).toBe(Number.POSITIVE_INFINITY);
    expect(sink.idempotent).toBe(false);
  });

  test("generates from the payload's changes and saves the material under its diffId", async () => {
    const { sink, studyMaterial } = setup();
    const payload = lawPayload({ diffId: "diff-1" });
    expect(await sink.deliver([payload], new AbortController().signal)).toEqual([{ ok: true }]);
    expect(studyMaterial.generated).toEqual([{ changes: payload.changes }]);
    expect(studyMaterial.saved).toEqual([{ ...MATERIAL, diffId: "diff-1" }]);
  });

  test("refuses an event after the last Generate attempt, with the attempts it made as the refusal's cause", async () => {
    const { sink, studyMaterial } = setup({ attempts: 2 });
    studyMaterial.generateBehaviour = () => {
      throw grpc("UNAVAILABLE", true);
    };
    const [outcome] = await sink.deliver([lawPayload()], new AbortController().signal);
    expect(outcome?.ok).toBe(false);
    const refused = outcome as { kind: string; error: Error; split?: boolean };
    expect(refused.kind).toBe("rejected");
    expect(refused.split).toBeUndefined();
    expect(refused.error).toBeInstanceOf(PermanentEventError);
    expect(refused.error.message).toBe("LLM Generate failed after 2 attempts: hobom-llm-service-backend Generate failed: UNAVAILABLE");
    expect(refused.error.cause).toBeInstanceOf(RetriesExhaustedError);
    expect((refused.error.cause as RetriesExhaustedError).attempts).toBe(2);
    expect(studyMaterial.saved).toEqual([]);
  });

  test("answers a save that failed otherwise than INTERNAL with a retry outcome carrying its error", async () => {
    const { sink, studyMaterial } = setup();
    const down = new BackendCallError("for-hobom-backend", "SaveStudyMaterial", "UNAVAILABLE", "", { retriable: true });
    studyMaterial.saveBehaviour = () => {
      throw down;
    };
    expect(await sink.deliver([lawPayload()], new AbortController().signal)).toEqual([{ ok: false, kind: "retry", error: down }]);
  });

  test("throws when stopped during Generate: the event is neither refused nor failed", async () => {
    const { sink, studyMaterial } = setup();
    const controller = new AbortController();
    const cancelled = grpc("CANCELLED", true);
    studyMaterial.generateBehaviour = () => {
      controller.abort();
      throw cancelled;
    };
    const error = await sink.deliver([lawPayload()], controller.signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).cause).toBe(cancelled);
  });

  test("needs nothing closed", async () => {
    await createStudyMaterialSink({ service: new FakeStudyMaterialService(), generateAttempts: 1, generateBackoffMs: [0], log: silentLogger }).close();
  });
});

describe("runCycle with the law codec and the study-material sink", () => {
  test("generates, saves, records the save and then settles the event delivered", async () => {
    const { source, studyMaterial, timeline, ledger, cycle } = setup();
    source.add(lawEvent("l1"));
    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(timeline).toEqual(["take", "generate", "save:diff-l1", "record:l1", "delivered:l1"]);
    expect(studyMaterial.generated).toEqual([{ changes: lawPayload().changes }]);
    expect(studyMaterial.saved).toEqual([{ ...MATERIAL, diffId: "diff-l1" }]);
    expect(ledger.has("law", "l1")).toBe(true);
    expect(source.statusOf("l1")).toBe("SENT");
  });

  test("retries Generate as configured and saves once it answers", async () => {
    const { source, studyMaterial, cycle } = setup();
    source.add(lawEvent("l1"));
    const ok = studyMaterial.generateBehaviour;
    studyMaterial.generateBehaviour = (request, call) => {
      if (call < 2) throw grpc("UNAVAILABLE", true);
      return ok(request, call);
    };
    await cycle();
    expect(studyMaterial.generated).toHaveLength(3);
    expect(studyMaterial.saved).toHaveLength(1);
    expect(source.statusOf("l1")).toBe("SENT");
  });

  test("after the last Generate attempt, dead-letters the LawChangedPayload JSON with the attempts made, then settles the event rejected", async () => {
    const { source, studyMaterial, dlq, timeline, cycle } = setup();
    source.add(lawEvent("l1", "diff-9"));
    studyMaterial.generateBehaviour = () => {
      throw grpc("UNAVAILABLE", true);
    };
    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(studyMaterial.generated).toHaveLength(3);
    expect(studyMaterial.saved).toEqual([]);
    expect(dlq.letters).toEqual([
      {
        pipeline: "law",
        prefix: "dlq:law:",
        eventId: "l1",
        eventType: "LAW_CHANGED",
        value: '{"diffId":"diff-9","changes":[{"articleNo":"제1조","changeType":"MODIFIED","before":"old text","after":"new text"}]}',
        reason: "LLM Generate failed after 3 attempts: hobom-llm-service-backend Generate failed: UNAVAILABLE",
        destination: undefined,
        recordKey: undefined,
        replayable: true,
        failedAt: NOW,
        attempts: 3,
      },
    ]);
    expect(timeline.slice(-2)).toEqual(["dlq:dlq:law:l1", "rejected:l1"]);
    expect(source.statusOf("l1")).toBe("FAILED");
    expect(source.reasons.get("l1")).toBe("LLM Generate failed after 3 attempts: hobom-llm-service-backend Generate failed: UNAVAILABLE");
  });

  test("does not retry a Generate refusal that cannot change, and dead-letters it after that one attempt", async () => {
    const { source, studyMaterial, dlq, cycle } = setup({ attempts: 5 });
    source.add(lawEvent("l1"));
    studyMaterial.generateBehaviour = () => {
      throw grpc("INVALID_ARGUMENT", false);
    };
    await cycle();
    expect(studyMaterial.generated).toHaveLength(1);
    expect(dlq.letters.map((letter) => [letter.eventId, letter.attempts])).toEqual([["l1", 1]]);
  });

  test("leaves the event PENDING when the DLQ write after Generate fails", async () => {
    const { source, studyMaterial, dlq, timeline, cycle } = setup();
    source.add(lawEvent("l1"));
    studyMaterial.generateBehaviour = () => {
      throw grpc("UNAVAILABLE", true);
    };
    dlq.putError = new RedisError("connection refused");
    await cycle();
    expect(source.statusOf("l1")).toBe("PENDING");
    expect(timeline.some((entry) => entry.startsWith("rejected"))).toBe(false);
    expect(timeline.slice(-2)).toEqual(["dlq-failed:l1", "released:l1"]);
  });

  test("takes an INTERNAL answer to the save as already saved and settles the event delivered", async () => {
    const { source, studyMaterial, dlq, ledger, cycle } = setup();
    source.add(lawEvent("l1"));
    studyMaterial.saveBehaviour = () => {
      throw new BackendCallError("for-hobom-backend", "SaveStudyMaterial", "INTERNAL", "duplicate key", { retriable: false });
    };
    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(source.statusOf("l1")).toBe("SENT");
    expect(ledger.has("law", "l1")).toBe(true);
    expect(dlq.letters).toEqual([]);
  });

  test("leaves the event PENDING, with one attempt more, and fails the cycle when the save fails otherwise", async () => {
    const { source, studyMaterial, dlq, ledger, cycle } = setup();
    source.add(lawEvent("l1"));
    const down = new BackendCallError("for-hobom-backend", "SaveStudyMaterial", "UNAVAILABLE", "", { retriable: true });
    studyMaterial.saveBehaviour = () => {
      throw down;
    };
    expect(await cycle()).toEqual({ status: "failed", error: down });
    expect(source.statusOf("l1")).toBe("PENDING");
    expect(source.attempts.get("l1")).toBe(1);
    expect(ledger.has("law", "l1")).toBe(false);
    expect(dlq.letters).toEqual([]);
  });

  test("goes on with the events after one whose save failed", async () => {
    const { source, studyMaterial, cycle } = setup();
    source.add(lawEvent("l1"), lawEvent("l2"), lawEvent("l3"));
    const down = new BackendCallError("for-hobom-backend", "SaveStudyMaterial", "DEADLINE_EXCEEDED", "", { retriable: true });
    studyMaterial.saveBehaviour = (request) => {
      if (request.diffId === "diff-l1") throw down;
    };
    expect(await cycle()).toEqual({ status: "failed", error: down });
    expect(studyMaterial.saved.map((request) => request.diffId)).toEqual(["diff-l1", "diff-l2", "diff-l3"]);
    expect(["l1", "l2", "l3"].map((eventId) => source.statusOf(eventId))).toEqual(["PENDING", "SENT", "SENT"]);
  });

  test("only settles an event whose save is recorded: no Generate, no second save", async () => {
    const { source, studyMaterial, ledger, cycle } = setup();
    source.add(lawEvent("l1"));
    await ledger.record("law", ["l1"]);
    expect((await cycle()).status).toBe("done");
    expect(studyMaterial.generated).toEqual([]);
    expect(studyMaterial.saved).toEqual([]);
    expect(source.statusOf("l1")).toBe("SENT");
  });

  test("after a save whose settle failed, the next cycle settles the event without saving again", async () => {
    const { source, studyMaterial, cycle } = setup();
    source.add(lawEvent("l1"));
    source.settleErrors.set("l1", { error: new BackendCallError("for-hobom-backend", "PatchOutboxMarkAsSentUseCase", "UNAVAILABLE", "", { retriable: true }) });
    await cycle();
    expect(source.statusOf("l1")).toBe("PENDING");
    await cycle();
    expect(source.statusOf("l1")).toBe("SENT");
    expect(studyMaterial.saved).toHaveLength(1);
    expect(studyMaterial.generated).toHaveLength(1);
  });

  test("settles the event delivered even when recording the save fails", async () => {
    const { source, ledger, timeline, cycle } = setup();
    source.add(lawEvent("l1"));
    ledger.recordError = new RedisError("connection refused");
    expect(await cycle()).toEqual({ status: "done", fetched: 1, more: false });
    expect(source.statusOf("l1")).toBe("SENT");
    expect(timeline).toEqual(["take", "generate", "save:diff-l1", "record-failed:l1", "delivered:l1"]);
  });

  test("dead-letters a row without payload as the raw row", async () => {
    const { source, studyMaterial, dlq, cycle } = setup();
    const bare = outboxEvent("l1", "LAW_CHANGED", null);
    source.add(bare);
    await cycle();
    expect(studyMaterial.generated).toEqual([]);
    expect(dlq.letters[0]).toMatchObject({ prefix: "dlq:law:", value: rawRow(bare), replayable: false, attempts: 1 });
    expect(source.statusOf("l1")).toBe("FAILED");
  });

  test("when stopped during Generate, neither dead-letters the event nor starts the next one", async () => {
    const { source, studyMaterial, dlq, controller, cycle } = setup();
    source.add(lawEvent("l1"), lawEvent("l2"));
    studyMaterial.generateBehaviour = () => {
      controller.abort();
      throw grpc("CANCELLED", true);
    };
    expect(await cycle()).toEqual({ status: "done", fetched: 2, more: false });
    expect(studyMaterial.generated).toHaveLength(1);
    expect(dlq.letters).toEqual([]);
    expect([source.statusOf("l1"), source.statusOf("l2")]).toEqual(["PENDING", "PENDING"]);
    expect(source.attempts.size).toBe(0);
  });
});
