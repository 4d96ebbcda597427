/**
 * The decoded shapes of the HoBom messages, as `PROTO_LOADER_OPTIONS` produces them: int64 as a
 * decimal string, enums by name, absent sub-messages as `null`. Field names follow the .proto.
 */

/** The columns every outbox row carries, whatever its package's field numbering. */
export interface OutboxRowFields {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  retryCount: number;
  sentAt: string;
  failedAt: string;
  lastError: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** An outbox row as Find returns it; `payload` is `null` when the backend sent none. */
export interface OutboxRow<P> extends OutboxRowFields {
  payload: P | null;
}

export interface FindRequest {
  eventType: string;
  status: string;
}

export interface FindResponse<P> {
  items: OutboxRow<P>[];
}

export interface MarkRequest {
  eventId: string;
}

export interface MarkFailedRequest {
  eventId: string;
  errorMessage: string;
}

export interface MessagePayload {
  id: string;
  title: string;
  body: string;
  recipient: string;
  senderId: string;
  type: string;
}

export interface LogPayloadDetail {
  query: Record<string, string>;
  body: Record<string, string>;
  headers: Record<string, string>;
  error: string;
}

export interface HoBomLogPayload {
  traceId: string;
  level: string;
  method: string;
  path: string;
  statusCode: number;
  host: string;
  userId: string;
  payload: LogPayloadDetail | null;
  serviceType: string;
  message: string;
}

export interface SpaceEventPayload {
  entityType: string;
  action: string;
  spaceKey: string;
  /** int64 as a decimal string: never pass it through `Number`. */
  pageId: string;
  title: string;
  actorId: string;
}

export interface LawArticleChange {
  articleNo: string;
  changeType: string;
  before: string;
  after: string;
}

export interface LawChangedPayload {
  diffId: string;
  changes: LawArticleChange[];
}

export interface Timestamp {
  /** int64 seconds as a decimal string. */
  seconds: string;
  nanos: number;
}

export type ApprovalType =
  | "APPROVAL_TYPE_UNSPECIFIED"
  | "APPROVAL_TYPE_SHELTER_VERIFICATION"
  | "APPROVAL_TYPE_STAFF_PROMOTION"
  | "APPROVAL_TYPE_ADOPTION"
  | "APPROVAL_TYPE_FOSTER";

export type FosterEndReason = "FOSTER_END_REASON_UNSPECIFIED" | "FOSTER_END_REASON_EXPIRED" | "FOSTER_END_REASON_EARLY_TERMINATED";

export interface ApprovalApproved {
  approval_type: ApprovalType | string;
  subject_ref: string;
  recipient_user_id: string;
  shelter_id: string;
  occurred_at: Timestamp | null;
}

export interface FosterTerminated {
  foster_process_id: string;
  animal_id: string;
  recipient_user_id: string;
  reason: FosterEndReason | string;
  occurred_at: Timestamp | null;
}

export interface AccessLog {
  trace_id: string;
  level: string;
  method: string;
  path: string;
  status_code: number;
  host: string;
  user_id: string;
  message: string;
  meta: Record<string, string>;
}

/** The oneof `kind`: exactly one member is set, and `kind` names it (or is absent when none is). */
export interface AngelEventPayload {
  kind?: "approval_approved" | "foster_terminated" | "access_log";
  approval_approved?: ApprovalApproved | null;
  foster_terminated?: FosterTerminated | null;
  access_log?: AccessLog | null;
}

export interface Quiz {
  type: string;
  question: string;
  answer: string;
  explanation: string;
  choices: string[];
}

export interface StudyMaterialRequest {
  changes: LawArticleChange[];
}

export interface StudyMaterialResponse {
  summary: string;
  keyPoints: string[];
  quizzes: Quiz[];
}

export interface SaveStudyMaterialRequest {
  diffId: string;
  summary: string;
  keyPoints: string[];
  quizzes: Quiz[];
}
