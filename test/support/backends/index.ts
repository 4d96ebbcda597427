/**
 * gRPC test doubles of the HoBom backends: real servers on loopback ports that behave like the real
 * backends where the relay can tell the difference (docs: hobom-contracts.md, section 4), with
 * tables tests fill and inspect, a log of every call, and injectable faults.
 */

export {
  ANGEL_EVENT_TYPES,
  ANGEL_FIND_LIMIT,
  type AngelBackendDouble,
  startAngelBackend,
} from "./angel-backend.ts";
export { CallLog, type RecordedCall } from "./call-log.ts";
export type { DoubleServer } from "./double-server.ts";
export { DEFAULT_OVERSIZE_BYTES, type FailureSpec, Faults } from "./faults.ts";
export { type HoBomBackendDouble, hobomInitialRetryCount, startHoBomBackend } from "./hobom-backend.ts";
export { type LlmBackendDouble, startLlmBackend, studyMaterialFor } from "./llm-backend.ts";
export { type NewRow, OUTBOX_STATUSES, type OutboxStatus, OutboxStore, type StoredRow } from "./outbox-store.ts";
export * from "./payloads.ts";
export { type RawCallOptions, RawClient, type RawClientOptions, statusOf } from "./raw-client.ts";
export type { RpcKey } from "./rpc-key.ts";
export { type SpaceBackendDouble, startSpaceBackend } from "./space-backend.ts";
export { StudyMaterialTable } from "./study-materials.ts";
export { dotnetRoundTrip, isoText, jsDateText, type WireDateFormat } from "./wire-dates.ts";
