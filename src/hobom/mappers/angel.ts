/** angel pipeline: one `hobom.angel-events` value per approval or foster-termination row. */
import { MappingError } from "../../engine/errors.ts";
import type { AngelEventPayload, Timestamp } from "../wire-types.ts";
import { timestampToRfc3339 } from "./json.ts";

/** The zero enum values mean "not set" and are left out like empty strings. */
const UNSET_ENUMS = new Set(["APPROVAL_TYPE_UNSPECIFIED", "FOSTER_END_REASON_UNSPECIFIED", "0"]);

/**
 * `{"eventType","recipientUserId"}` always, plus `approvalType`, `subjectRef`, `shelterId`,
 * `fosterProcessId`, `animalId`, `reason` (enum names) and `occurredAt` (RFC 3339 UTC, whole
 * seconds) when they are not empty. An enum number the protos do not know is kept as its digits,
 * as Go's `String()` would print it.
 */
export function angelValue(eventType: string, payload: AngelEventPayload): Record<string, unknown> {
  if (payload.kind === "approval_approved" && payload.approval_approved) {
    const event = payload.approval_approved;
    return compact({
      eventType,
      recipientUserId: event.recipient_user_id,
      approvalType: enumName(event.approval_type),
      subjectRef: event.subject_ref,
      shelterId: event.shelter_id,
      occurredAt: occurredAt(event.occurred_at),
    });
  }
  if (payload.kind === "foster_terminated" && payload.foster_terminated) {
    const event = payload.foster_terminated;
    return compact({
      eventType,
      recipientUserId: event.recipient_user_id,
      fosterProcessId: event.foster_process_id,
      animalId: event.animal_id,
      reason: enumName(event.reason),
      occurredAt: occurredAt(event.occurred_at),
    });
  }
  throw new MappingError(`angel ${eventType} row carries ${payload.kind ?? "no event"}, not an approval or foster termination`);
}

function enumName(value: string | number): string {
  const name = String(value);
  return UNSET_ENUMS.has(name) ? "" : name;
}

function occurredAt(timestamp: Timestamp | null): string {
  if (!timestamp || (timestamp.seconds === "0" && timestamp.nanos === 0)) return "";
  return timestampToRfc3339(timestamp);
}

/** Keeps the two always-present fields and every other non-empty one. */
function compact(value: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === "eventType" || key === "recipientUserId" || field !== "") out[key] = field;
  }
  return out;
}
