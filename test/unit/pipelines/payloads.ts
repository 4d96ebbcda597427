/**
 * Builders of decoded HoBom payloads and outbox rows, shaped as PROTO_LOADER_OPTIONS decodes
 * them (every scalar present with its default, absent sub-messages as null). Each builder takes
 * overrides so that a test states only what it is about.
 */
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
} from "../../../src/grpc/wire-types.ts";

export function messagePayload(overrides: Partial<MessagePayload> = {}): MessagePayload {
  return {
    id: "msg-1",
    title: "Today's menu",
    body: "Kimchi stew",
    recipient: "user@example.com",
    senderId: "sender-7",
    type: "MAIL_MESSAGE",
    ...overrides,
  };
}

export function logDetail(overrides: Partial<LogPayloadDetail> = {}): LogPayloadDetail {
  return { query: {}, body: {}, headers: {}, error: "", ...overrides };
}

export function logPayload(overrides: Partial<HoBomLogPayload> = {}): HoBomLogPayload {
  return {
    traceId: "trace-1",
    level: "INFO",
    method: "GET",
    path: "/api/menus",
    statusCode: 200,
    host: "api.hobom.kr",
    userId: "user-1",
    payload: null,
    serviceType: "HOBOM_BACKEND",
    message: "request handled",
    ...overrides,
  };
}

export function spacePayload(overrides: Partial<SpaceEventPayload> = {}): SpaceEventPayload {
  return {
    entityType: "PAGE",
    action: "CREATED",
    spaceKey: "ENG",
    pageId: "42",
    title: "Runbook",
    actorId: "actor-1",
    ...overrides,
  };
}

export function lawPayload(overrides: Partial<LawChangedPayload> = {}): LawChangedPayload {
  return {
    diffId: "diff-1",
    changes: [{ articleNo: "제1조", changeType: "MODIFIED", before: "old text", after: "new text" }],
    ...overrides,
  };
}

export function approval(overrides: Partial<ApprovalApproved> = {}): AngelEventPayload {
  return {
    kind: "approval_approved",
    approval_approved: {
      approval_type: "APPROVAL_TYPE_ADOPTION",
      subject_ref: "adoption-9",
      recipient_user_id: "user-3",
      shelter_id: "shelter-5",
      occurred_at: { seconds: "1700000000", nanos: 0 },
      ...overrides,
    },
  };
}

export function fosterTerminated(overrides: Partial<FosterTerminated> = {}): AngelEventPayload {
  return {
    kind: "foster_terminated",
    foster_terminated: {
      foster_process_id: "foster-1",
      animal_id: "animal-2",
      recipient_user_id: "user-4",
      reason: "FOSTER_END_REASON_EXPIRED",
      occurred_at: { seconds: "1700000000", nanos: 0 },
      ...overrides,
    },
  };
}

export function accessLog(overrides: Partial<AccessLog> = {}): AngelEventPayload {
  return {
    kind: "access_log",
    access_log: {
      trace_id: "trace-a",
      level: "INFO",
      method: "POST",
      path: "/angel/adoptions",
      status_code: 201,
      host: "angel.hobom.kr",
      user_id: "user-8",
      message: "created",
      meta: {},
      ...overrides,
    },
  };
}

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
