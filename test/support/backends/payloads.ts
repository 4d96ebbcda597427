/**
 * Valid payloads of every outbox type, with every field filled, for tests that care about one or
 * two fields: pass those as overrides.
 */
import type {
  AccessLog,
  AngelEventPayload,
  ApprovalApproved,
  FosterTerminated,
  HoBomLogPayload,
  LawChangedPayload,
  MessagePayload,
  SpaceEventPayload,
  Timestamp,
} from "../../../src/hobom/wire-types.ts";

/** An outbox.message.MessagePayload (a mail). */
export function messagePayload(overrides: Partial<MessagePayload> = {}): MessagePayload {
  return {
    id: "msg-1",
    title: "Welcome",
    body: "Hello from HoBom",
    recipient: "user@example.com",
    senderId: "sender-1",
    type: "MAIL_MESSAGE",
    ...overrides,
  };
}

/** An outbox.log.HoBomLogPayload of a successful request. */
export function logPayload(overrides: Partial<HoBomLogPayload> = {}): HoBomLogPayload {
  return {
    traceId: "trace-1",
    level: "INFO",
    method: "GET",
    path: "/api/v1/menus",
    statusCode: 200,
    host: "for-hobom-backend",
    userId: "user-1",
    payload: { query: { page: "1" }, body: {}, headers: { "user-agent": "curl" }, error: "" },
    serviceType: "HOBOM_BACKEND",
    message: "GET /api/v1/menus 200",
    ...overrides,
  };
}

/** An outbox.space.SpaceEventPayload; `pageId` is an int64 as a decimal string. */
export function spaceEventPayload(overrides: Partial<SpaceEventPayload> = {}): SpaceEventPayload {
  return {
    entityType: "PAGE",
    action: "CREATED",
    spaceKey: "HOBOM",
    pageId: "42",
    title: "Release notes",
    actorId: "actor-1",
    ...overrides,
  };
}

/** An outbox.law.LawChangedPayload with one amended article. */
export function lawChangedPayload(overrides: Partial<LawChangedPayload> = {}): LawChangedPayload {
  return {
    diffId: "diff-1",
    changes: [{ articleNo: "Article 3", changeType: "MODIFIED", before: "30 days", after: "60 days" }],
    ...overrides,
  };
}

/** A google.protobuf.Timestamp as the loader decodes it (int64 seconds as a string). */
export function timestampOf(date: Date): Timestamp {
  const ms = date.getTime();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

/** An angel payload whose oneof `kind` is approval_approved. */
export function angelApprovalPayload(overrides: Partial<ApprovalApproved> = {}): AngelEventPayload {
  return {
    kind: "approval_approved",
    approval_approved: {
      approval_type: "APPROVAL_TYPE_ADOPTION",
      subject_ref: "adoption-1",
      recipient_user_id: "user-1",
      shelter_id: "shelter-1",
      occurred_at: timestampOf(new Date("2026-11-23T14:05:00Z")),
      ...overrides,
    },
  };
}

/** An angel payload whose oneof `kind` is foster_terminated. */
export function angelFosterTerminatedPayload(overrides: Partial<FosterTerminated> = {}): AngelEventPayload {
  return {
    kind: "foster_terminated",
    foster_terminated: {
      foster_process_id: "foster-1",
      animal_id: "animal-1",
      recipient_user_id: "user-1",
      reason: "FOSTER_END_REASON_EXPIRED",
      occurred_at: timestampOf(new Date("2026-11-23T14:05:00Z")),
      ...overrides,
    },
  };
}

/** An angel payload whose oneof `kind` is access_log (the angel HOBOM_LOG rows). */
export function angelAccessLogPayload(overrides: Partial<AccessLog> = {}): AngelEventPayload {
  return {
    kind: "access_log",
    access_log: {
      trace_id: "trace-1",
      level: "INFO",
      method: "GET",
      path: "/api/v1/animals",
      status_code: 200,
      host: "for-hobom-angel-backend",
      user_id: "user-1",
      message: "GET /api/v1/animals 200",
      meta: { region: "seoul" },
      ...overrides,
    },
  };
}
