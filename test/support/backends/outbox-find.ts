/**
 * The Find rpc of an outbox, parameterised by what the backends disagree on: order, limit, what an
 * unknown event type or status gets, and how dates are written (contracts, section 4).
 */
import * as grpc from "@grpc/grpc-js";
import type { FindRequest, FindResponse, OutboxRow } from "../../../src/hobom/wire-types.ts";
import { type CallContext, RpcError, type UnaryHandler } from "./double-server.ts";
import { OUTBOX_STATUSES, type OutboxStore, type StoredRow } from "./outbox-store.ts";
import type { WireDateFormat } from "./wire-dates.ts";

export interface FindBehaviour {
  /** "insertion": no ORDER BY (for-hobom-backend); "createdAt": ascending, ties in insertion order. */
  order: "insertion" | "createdAt";
  /** Rows returned at most; the real backends other than angel return every match. */
  limit?: number;
  /**
   * Event types this backend accepts; when set, an unknown event type or status is
   * INVALID_ARGUMENT (angel). Without it, unknown values simply match no row.
   */
  knownEventTypes?: readonly string[];
  formatDate: WireDateFormat;
}

/** The Find handler over one outbox table. */
export function findHandler<P>(store: OutboxStore<P>, behaviour: FindBehaviour): UnaryHandler<FindRequest, FindResponse<P>> {
  return (request: FindRequest, context: CallContext) => {
    if (behaviour.knownEventTypes) rejectUnknown(request, behaviour.knownEventTypes);
    let rows = store.matching(request.eventType, request.status);
    if (behaviour.order === "createdAt") {
      rows = rows.toSorted((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    }
    if (behaviour.limit !== undefined) rows = rows.slice(0, behaviour.limit);
    const items = rows.map((row) => toWire(row, behaviour.formatDate));
    const padding = context.faults.oversizeFor(context.path);
    if (padding > 0) items.push(...paddingRows<P>(request, padding, behaviour.formatDate));
    return { items };
  };
}

/** A stored row as the backend serialises it: NULL dates and errors become "". */
export function toWire<P>(row: StoredRow<P>, formatDate: WireDateFormat): OutboxRow<P> {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    payload: row.payload,
    status: row.status,
    retryCount: row.retryCount,
    sentAt: formatDate(row.sentAt),
    failedAt: formatDate(row.failedAt),
    lastError: row.lastError ?? "",
    version: row.version,
    createdAt: formatDate(row.createdAt),
    updatedAt: formatDate(row.updatedAt),
  };
}

function rejectUnknown(request: FindRequest, knownEventTypes: readonly string[]): void {
  if (!knownEventTypes.includes(request.eventType)) {
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `unknown eventType: ${request.eventType}`);
  }
  if (!(OUTBOX_STATUSES as readonly string[]).includes(request.status)) {
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `unknown status: ${request.status}`);
  }
}

const PADDING_ROW_BYTES = 512 * 1024;

/**
 * Rows that exist only in this response, big enough together to exceed `bytes`. The padding sits in
 * `lastError`, a string every outbox package has, so one helper fits every payload type.
 */
function paddingRows<P>(request: FindRequest, bytes: number, formatDate: WireDateFormat): OutboxRow<P>[] {
  const now = new Date();
  const count = Math.ceil(bytes / PADDING_ROW_BYTES) + 1;
  return Array.from({ length: count }, (_, n) => ({
    id: `padding-${n}`,
    eventId: `padding-${n}`,
    eventType: request.eventType,
    payload: null,
    status: request.status,
    retryCount: 0,
    sentAt: "",
    failedAt: "",
    lastError: "x".repeat(PADDING_ROW_BYTES),
    version: 1,
    createdAt: formatDate(now),
    updatedAt: formatDate(now),
  }));
}
