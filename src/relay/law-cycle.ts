/**
 * One cycle of the law pipeline, row by row: Generate (with retries) → SaveStudyMaterial → record
 * the save → mark SENT. No Kafka. A row whose save is recorded is only marked, so a failed mark
 * or a DLQ replay never saves twice (SaveStudyMaterial is not idempotent).
 */
import { BackendCallError, MappingError, PermanentEventError } from "../errors.ts";
import type { LawChangedPayload, OutboxRow } from "../grpc/wire-types.ts";
import { lawValue, studyMaterialRequest } from "../pipelines/mappers/law.ts";
import type { LawPipeline } from "../pipelines/pipeline.ts";
import type { CycleOutcome, PipelineContext } from "./context.ts";
import { fetchPending } from "./fetch.ts";
import type { StudyMaterialService } from "./ports.ts";
import { rawRow } from "./records.ts";
import { withRetry } from "./retry.ts";
import { createSettler, type Settler } from "./settle.ts";

export interface LawPipelineContext extends PipelineContext<LawPipeline> {
  readonly studyMaterial: StudyMaterialService;
  readonly generateAttempts: number;
  readonly generateBackoffMs: readonly number[];
}

/** What became of one law event. */
export type LawOutcome = "saved" | "already-saved" | "dead-lettered" | "save-failed" | "stopped";

export async function runLawCycle(context: LawPipelineContext, signal: AbortSignal): Promise<CycleOutcome> {
  const { rows, more } = await fetchPending(context, signal);
  if (rows.length === 0) return { status: "done", fetched: 0, more };
  const delivered = await context.ledger.delivered(context.pipeline.name, rows.map((row) => row.eventId));
  const settler = createSettler(context);
  let saveError: unknown;
  for (const row of rows) {
    if (signal.aborted) break;
    if (delivered.has(row.eventId)) {
      settler.markSent([row]);
      continue;
    }
    const outcome = await orchestrateLawEvent(context, settler, row, signal);
    if (outcome.result === "save-failed") saveError ??= outcome.error;
  }
  await settler.drain();
  if (saveError !== undefined) return { status: "failed", error: saveError };
  return { status: "done", fetched: rows.length, more };
}

/**
 * Generate → Save → record → mark SENT for one row that has no recorded save. Used by the cycle
 * and by a DLQ replay of a law entry.
 */
export async function orchestrateLawEvent(
  context: LawPipelineContext,
  settler: Settler,
  row: OutboxRow<unknown>,
  signal: AbortSignal,
): Promise<{ result: LawOutcome; error?: unknown }> {
  const { log, pipeline } = context;
  if (!row.payload) {
    await settler.deadLetter({ row, value: rawRow(row), error: new MappingError(`LAW_CHANGED row ${row.eventId} has no payload`) });
    return { result: "dead-lettered" };
  }
  const payload = row.payload as LawChangedPayload;
  let material;
  try {
    material = await withRetry(() => context.studyMaterial.generate(studyMaterialRequest(payload)), {
      attempts: context.generateAttempts,
      backoffMs: context.generateBackoffMs,
      signal,
    });
  } catch (error) {
    if (signal.aborted) return { result: "stopped" };
    context.metrics.dependencyError("grpc");
    const reason = new PermanentEventError(`LLM Generate ${(error as Error).message}`, { cause: error });
    await settler.deadLetter({ row, value: JSON.stringify(lawValue(payload)), error: reason });
    return { result: "dead-lettered" };
  }

  let result: LawOutcome = "saved";
  try {
    await context.studyMaterial.save({ diffId: payload.diffId, ...material });
  } catch (error) {
    // The unique index on diffId answers a second save with INTERNAL: the material is already
    // there (saved before a record or mark was lost), so the event is done, not failed.
    if (error instanceof BackendCallError && error.code === "INTERNAL") {
      log.warn("study material already saved for this diffId; marking SENT", { eventId: row.eventId, diffId: payload.diffId });
      result = "already-saved";
    } else {
      context.metrics.dependencyError("grpc");
      log.warn("SaveStudyMaterial failed; the row stays PENDING", { eventId: row.eventId, error });
      return { result: "save-failed", error };
    }
  }
  try {
    await context.ledger.record(pipeline.name, [row.eventId]);
  } catch (error) {
    log.warn("could not record the save; marking SENT anyway", { eventId: row.eventId, error });
  }
  context.metrics.rows("published", pipeline.name, 1);
  settler.markSent([row]);
  return { result };
}
