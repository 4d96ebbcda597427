/**
 * Builders of decoded HoBom payloads and outbox rows, shaped as PROTO_LOADER_OPTIONS decodes
 * them (every scalar present with its default, absent sub-messages as null). Each builder takes
 * overrides so that a test states only what it is about.
 */

import type { SourceEvent } from "../../../src/engine/ports.ts";
import type {
  AccessLog,
  AngelEventPayload,
  ApprovalApproved,
  FosterTerminated,
  HoBomLogPayload,
  LawChangedPayload,
  LogPayloadDetail,
  MessagePayload,
  OutboxRow,
  SpaceEventPayload,
} from "../../../src/hobom/wire-types.ts";
import { rowEvent } from "../../../src/sources/grpc-outbox/source.ts";
import * as wire from "../../support/backends/payloads.ts";

// The shapes come from the backend doubles' builders; these defaults are the values the unit
// tests' expected JSON is written against.

export const messagePayload = (overrides: Partial<MessagePayload> = {}): MessagePayload =>
  wire.messagePayload({ title: "Today's menu", body: "Kimchi stew", senderId: "sender-7", ...overrides });

export function logDetail(overrides: Partial<LogPayloadDetail> = {}): LogPayloadDetail {
  return { query: {}, body: {}, headers: {}, error: "", ...overrides };
}

export const logPayload = (overrides: Partial<HoBomLogPayload> = {}): HoBomLogPayload =>
  wire.logPayload({ path: "/api/menus", host: "api.hobom.kr", payload: null, message: "request handled", ...overrides });

export const spacePayload = (overrides: Partial<SpaceEventPayload> = {}): SpaceEventPayload =>
  wire.spaceEventPayload({ spaceKey: "ENG", title: "Runbook", ...overrides });

export const lawPayload = (overrides: Partial<LawChangedPayload> = {}): LawChangedPayload =>
  wire.lawChangedPayload({ changes: [{ articleNo: "제1조", changeType: "MODIFIED", before: "old text", after: "new text" }], ...overrides });

const OCCURRED_AT = { seconds: "1700000000", nanos: 0 };

export const approval = (overrides: Partial<ApprovalApproved> = {}): AngelEventPayload =>
  wire.angelApprovalPayload({ subject_ref: "adoption-9", recipient_user_id: "user-3", shelter_id: "shelter-5", occurred_at: OCCURRED_AT, ...overrides });

export const fosterTerminated = (overrides: Partial<FosterTerminated> = {}): AngelEventPayload =>
  wire.angelFosterTerminatedPayload({ animal_id: "animal-2", recipient_user_id: "user-4", occurred_at: OCCURRED_AT, ...overrides });

export const accessLog = (overrides: Partial<AccessLog> = {}): AngelEventPayload =>
  wire.angelAccessLogPayload({
    trace_id: "trace-a",
    method: "POST",
    path: "/angel/adoptions",
    status_code: 201,
    host: "angel.hobom.kr",
    user_id: "user-8",
    message: "created",
    meta: {},
    ...overrides,
  });

/** An outbox row as a Find returns it; `payload` null means the backend sent none. */
export function outboxRow<P>(eventId: string, eventType: string, payload: P | null): OutboxRow<P> {
  return {
    id: `id-${eventId}`,
    eventId,
    eventType,
    payload,
    status: "PENDING",
    retryCount: 0,
    sentAt: "",
    failedAt: "",
    lastError: "",
    version: 1,
    createdAt: "2024-05-06T07:00:00.000Z",
    updatedAt: "2024-05-06T07:00:00.000Z",
  };
}

/** An outbox row as the gRPC outbox source hands it to the engine. */
export function outboxEvent<P>(eventId: string, eventType: string, payload: P | null): SourceEvent {
  return rowEvent(outboxRow(eventId, eventType, payload));
}
