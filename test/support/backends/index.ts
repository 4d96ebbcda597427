/**
 * gRPC test doubles of the HoBom backends: real servers on loopback ports that behave like the real
 * backends where the relay can tell the difference (docs: hobom-contracts.md, section 4), with
 * tables tests fill and inspect, a log of every call, and injectable faults.
 */
export { startHoBomBackend, hobomInitialRetryCount, type HoBomBackendDouble } from "./hobom-backend.ts";
export { startSpaceBackend, type SpaceBackendDouble } from "./space-backend.ts";
export {
  startAngelBackend,
  ANGEL_EVENT_TYPES,
  ANGEL_FIND_LIMIT,
  type AngelBackendDouble,
} from "./angel-backend.ts";
export { startLlmBackend, studyMaterialFor, type LlmBackendDouble } from "./llm-backend.ts";
export type { DoubleServer } from "./double-server.ts";
export { OutboxStore, OUTBOX_STATUSES, type NewRow, type OutboxStatus, type StoredRow } from "./outbox-store.ts";
export { StudyMaterialTable } from "./study-materials.ts";
export { CallLog, type RecordedCall } from "./call-log.ts";
export { Faults, DEFAULT_OVERSIZE_BYTES, type FailureSpec } from "./faults.ts";
export type { RpcKey } from "./rpc-key.ts";
export { jsDateText, dotnetRoundTrip, isoText, type WireDateFormat } from "./wire-dates.ts";
export * from "./payloads.ts";
export { RawClient, statusOf, type RawCallOptions, type RawClientOptions } from "./raw-client.ts";
