/**
 * The Patch service of a backend (MarkAsSent, MarkAsFailed), over every outbox table it marks, with
 * the backends' differences: what an unknown eventId gets and which transitions are allowed
 * (contracts, section 4).
 */
import * as grpc from "@grpc/grpc-js";
import type { MarkFailedRequest, MarkRequest } from "../../../src/hobom/wire-types.ts";
import { RpcError, type UnaryHandler } from "./double-server.ts";
import type { OutboxStore, StoredRow } from "./outbox-store.ts";

export interface MarkBehaviour {
  /** "ok": nothing happens and the call succeeds (NestJS); "not-found": NOT_FOUND (.NET). */
  unknownEventId: "ok" | "not-found";
  /** angel refuses to mark a SENT row (FAILED_PRECONDITION); the others mark any row. */
  onlyFromPendingOrFailed: boolean;
}

type Empty = Record<string, never>;

/** The two Patch handlers, by method name, as every Patch service spells them. */
// A type alias, not an interface: only a type literal can be used where a string-keyed record is expected.
export type PatchHandlers = {
  PatchOutboxMarkAsSentUseCase: UnaryHandler<MarkRequest, Empty>;
  PatchOutboxMarkAsFailedUseCase: UnaryHandler<MarkFailedRequest, Empty>;
};

/** Patch handlers marking rows of any of `stores` (the tables a backend's one Patch service covers). */
export function patchHandlers(stores: readonly OutboxStore<unknown>[], behaviour: MarkBehaviour): PatchHandlers {
  /** The row and its table, or `undefined` when the unknown id is silently accepted. */
  function locate(eventId: string): { store: OutboxStore<unknown>; row: StoredRow<unknown> } | undefined {
    for (const store of stores) {
      const row = store.get(eventId);
      if (row) {
        if (behaviour.onlyFromPendingOrFailed && row.status === "SENT") {
          throw new RpcError(grpc.status.FAILED_PRECONDITION, `outbox ${eventId} is already SENT`);
        }
        return { store, row };
      }
    }
    if (behaviour.unknownEventId === "not-found") {
      throw new RpcError(grpc.status.NOT_FOUND, `outbox ${eventId} not found`);
    }
    return undefined;
  }

  return {
    PatchOutboxMarkAsSentUseCase: (request) => {
      const found = locate(request.eventId);
      found?.store.markSent(found.row);
      return {};
    },
    PatchOutboxMarkAsFailedUseCase: (request) => {
      const found = locate(request.eventId);
      found?.store.markFailed(found.row, request.errorMessage);
      return {};
    },
  };
}
