/**
 * One cycle of the law pipeline, row by row: Generate (with retries) → SaveStudyMaterial → record
 * the save → mark SENT. No Kafka. A row whose save is recorded is only marked, so a failed mark
 * or a DLQ replay never saves twice (SaveStudyMaterial is not idempotent).
 */
import { PermanentEventError } from "../errors.ts";
import type { LawChangedPayload, OutboxRow } from "../grpc/wire-types.ts";
import { lawValue } from "../pipelines/mappers/law.ts";
import type { LawPipeline } from "../pipelines/pipeline.ts";
import type { CycleOutcome, PipelineContext } from "./context.ts";
import { fetchPending } from "./fetch.ts";
import { generateMaterial, type LawSteps, saveMaterial } from "./law-steps.ts";
import { missingPayload, rawRow } from "./records.ts";
import { createSettler, type Settler } from "./settle.ts";

/** Law rows wait on the LLM one by one; a slice only bounds how many are decoded at once. */
const SLICE_ROWS = 1_000;

export interface LawPipelineContext extends PipelineContext<LawPipeline>, LawSteps {}

export async function runLawCycle(context: LawPipelineContext, signal: AbortSignal): Promise<CycleOutcome> {
  const fetched = await fetchPending(context, signal);
  if (fetched.count === 0) return { status: "done", fetched: 0, more: fetched.more };
  const settler = createSettler(context);
  let failure: unknown;
  slices: for (const rows of fetched.slices(SLICE_ROWS)) {
    let delivered: Set<string>;
    try {
      delivered = await context.ledger.delivered(context.pipeline.name, rows.map((row) => row.eventId));
    } catch (error) {
      // A save that failed in an earlier slice stays the cycle's error; this one is counted here.
      if (failure === undefined) failure = error;
      else context.metrics.dependencyError("redis");
      break;
    }
    for (const row of rows) {
      if (signal.aborted) break slices;
      if (delivered.has(row.eventId)) {
        settler.markSent([row]);
        continue;
      }
      try {
        // The LLM call and the save are the costly, non-idempotent steps: only the owner runs them.
        await context.fence.assertHeld();
      } catch (error) {
        failure = error;
        break slices;
      }
      // Not `failure ??= await orchestrate(...)`: `??=` would skip every row after a failed save.
      const saveError = await orchestrate(context, settler, row, signal);
      // The error that ends the cycle is counted by the poll loop; any later one is counted here.
      if (saveError !== undefined && failure !== undefined) context.metrics.dependencyError("grpc");
      failure ??= saveError;
    }
  }
  await settler.drain();
  if (failure !== undefined) return { status: "failed", error: failure };
  return { status: "done", fetched: fetched.count, more: fetched.more };
}

/** Generate → Save → record → mark SENT for one row; returns the save error that left it PENDING. */
async function orchestrate(context: LawPipelineContext, settler: Settler, row: OutboxRow<unknown>, signal: AbortSignal): Promise<unknown> {
  const { log, pipeline, metrics } = context;
  const missing = missingPayload(row);
  if (missing) {
    await settler.deadLetter({ row, value: rawRow(row), error: missing });
    return undefined;
  }
  const payload = row.payload as LawChangedPayload;
  let material;
  try {
    material = await generateMaterial(context, payload, signal);
  } catch (error) {
    if (signal.aborted) return undefined;
    metrics.dependencyError("grpc");
    const reason = new PermanentEventError(`LLM Generate ${(error as Error).message}`, { cause: error });
    await settler.deadLetter({ row, value: JSON.stringify(lawValue(payload)), error: reason });
    return undefined;
  }
  try {
    const saved = await saveMaterial(context, payload, material);
    if (saved === "already-saved") {
      log.warn("study material already saved for this diffId; marking SENT", { eventId: row.eventId, diffId: payload.diffId });
    }
  } catch (error) {
    log.warn("SaveStudyMaterial failed; the row stays PENDING", { eventId: row.eventId, error });
    return error;
  }
  try {
    await context.ledger.record(pipeline.name, [row.eventId]);
  } catch (error) {
    log.warn("could not record the save; marking SENT anyway", { eventId: row.eventId, error });
  }
  metrics.rows("published", pipeline.name, 1);
  settler.markSent([row]);
  return undefined;
}
