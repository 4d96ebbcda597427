/**
 * The two steps of a law event, shared by the law cycle and a DLQ replay: Generate with retries,
 * and a save that treats "already saved" as success.
 */
import { BackendCallError } from "../errors.ts";
import type { LawChangedPayload, StudyMaterialResponse } from "../grpc/wire-types.ts";
import { studyMaterialRequest } from "../pipelines/mappers/law.ts";
import type { StudyMaterialService } from "./ports.ts";
import { withRetry } from "./retry.ts";

export interface LawSteps {
  readonly studyMaterial: StudyMaterialService;
  readonly generateAttempts: number;
  readonly generateBackoffMs: readonly number[];
}

/** LLM Generate for the payload's changes; throws RetriesExhaustedError after the attempts. */
export function generateMaterial(steps: LawSteps, payload: LawChangedPayload, signal?: AbortSignal): Promise<StudyMaterialResponse> {
  return withRetry(() => steps.studyMaterial.generate(studyMaterialRequest(payload)), {
    attempts: steps.generateAttempts,
    backoffMs: steps.generateBackoffMs,
    signal,
  });
}

/**
 * SaveStudyMaterial. The unique index on diffId answers a second save with INTERNAL: the material
 * is already there (saved before a record or a mark was lost), so that counts as done. Any other
 * failure is thrown.
 */
export async function saveMaterial(
  steps: LawSteps,
  payload: LawChangedPayload,
  material: StudyMaterialResponse,
): Promise<"saved" | "already-saved"> {
  try {
    await steps.studyMaterial.save({
      diffId: payload.diffId,
      summary: material.summary,
      keyPoints: material.keyPoints,
      quizzes: material.quizzes,
    });
    return "saved";
  } catch (error) {
    if (error instanceof BackendCallError && error.code === "INTERNAL") return "already-saved";
    throw error;
  }
}
