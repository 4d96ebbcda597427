/**
 * The study-material sink of the law pipeline: a law change goes to the LLM (Generate, retried as
 * configured), and the material it returns is saved with SaveStudyMaterial. One event per
 * delivery, and not idempotent: a second save of a diffId fails (a unique index), so the engine
 * records each save before the row is marked, and a save answered INTERNAL (that index) counts as
 * done. A Generate that fails every attempt refuses the event (it goes to the DLQ); a save that
 * fails otherwise leaves it to come again.
 */
import { PermanentEventError } from "../../engine/errors.ts";
import type { DeliveryOutcome, Sink } from "../../engine/ports.ts";
import { withRetry } from "../../engine/retry.ts";
import { BackendCallError } from "../../grpc/status.ts";
import { studyMaterialRequest } from "../../hobom/mappers/law.ts";
import type { LawChangedPayload, SaveStudyMaterialRequest, StudyMaterialRequest, StudyMaterialResponse } from "../../hobom/wire-types.ts";
import type { Logger } from "../../observability/logger.ts";

/** The LLM and the study-material store. */
export interface StudyMaterialService {
  /** One LLM Generate call (no retry here: the sink retries). */
  generate(request: StudyMaterialRequest): Promise<StudyMaterialResponse>;
  /** SaveStudyMaterial on for-hobom-backend; not idempotent (a second save of a diffId fails). */
  save(request: SaveStudyMaterialRequest): Promise<void>;
}

export function createStudyMaterialSink(params: {
  service: StudyMaterialService;
  generateAttempts: number;
  generateBackoffMs: readonly number[];
  log: Logger;
}): Sink<LawChangedPayload> {
  const { service, log } = params;
  return {
    limits: { maxEvents: 1, maxBytes: Number.POSITIVE_INFINITY, maxBytesSetting: "(none)" },
    idempotent: false,
    async deliver(payloads, signal) {
      const outcomes: DeliveryOutcome[] = [];
      for (const payload of payloads) {
        let material: StudyMaterialResponse;
        try {
          material = await withRetry(() => service.generate(studyMaterialRequest(payload)), {
            attempts: params.generateAttempts,
            backoffMs: params.generateBackoffMs,
            signal,
          });
        } catch (error) {
          // Stopped while waiting: neither refused nor failed; the event comes again after the restart.
          if (signal.aborted) throw error;
          outcomes.push({ ok: false, kind: "rejected", error: new PermanentEventError(`LLM Generate ${(error as Error).message}`, { cause: error }) });
          continue;
        }
        outcomes.push(await save(payload, material));
      }
      return outcomes;
    },
    close: async () => {},
  };

  async function save(payload: LawChangedPayload, material: StudyMaterialResponse): Promise<DeliveryOutcome> {
    try {
      await service.save({ diffId: payload.diffId, summary: material.summary, keyPoints: material.keyPoints, quizzes: material.quizzes });
      return { ok: true };
    } catch (error) {
      // The unique index on diffId: the material is already there (saved before a record or a mark was lost).
      if (error instanceof BackendCallError && error.code === "INTERNAL") {
        log.warn("study material already saved for this diffId; marking SENT", { diffId: payload.diffId });
        return { ok: true };
      }
      log.warn("SaveStudyMaterial failed; the row stays PENDING", { diffId: payload.diffId, error });
      return { ok: false, kind: "retry", error: error as Error };
    }
  }
}
