/** law pipeline: the value kept in the DLQ, and the LLM request built from a law change. */
import type { LawChangedPayload, StudyMaterialRequest } from "../wire-types.ts";

/** `{"diffId","changes":[{"articleNo","changeType","before","after"}]}`, the Go DLQ format. */
export function lawValue(payload: LawChangedPayload): Record<string, unknown> {
  return { diffId: payload.diffId, changes: payload.changes.map(articleChange) };
}

/** The Generate request for a law change: its article changes, field for field. */
export function studyMaterialRequest(payload: LawChangedPayload): StudyMaterialRequest {
  return { changes: payload.changes.map(articleChange) };
}

function articleChange(change: LawChangedPayload["changes"][number]) {
  return { articleNo: change.articleNo, changeType: change.changeType, before: change.before, after: change.after };
}
