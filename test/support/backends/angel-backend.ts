/**
 * A double of for-hobom-angel-backend (NestJS): one outbox holding every angel event type, its Find
 * (validated, sorted, limited) and its Patch service (refuses to re-mark a SENT row).
 */
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import type { AngelEventPayload } from "../../../src/hobom/wire-types.ts";
import { type DoubleServer, startDoubleServer } from "./double-server.ts";
import { type FindBehaviour, findHandler } from "./outbox-find.ts";
import { patchHandlers } from "./outbox-patch.ts";
import { type OutboxStore, plainTables, type TableFactory } from "./outbox-store.ts";
import { isoText } from "./wire-dates.ts";

/** The event types the angel Find accepts; anything else is INVALID_ARGUMENT. */
export const ANGEL_EVENT_TYPES: readonly string[] = Object.freeze([
  "ADOPTION_APPROVED",
  "FOSTER_APPROVED",
  "STAFF_PROMOTION_APPROVED",
  "SHELTER_VERIFICATION_APPROVED",
  "FOSTER_TERMINATED",
  "HOBOM_LOG",
]);

/** The most rows one angel Find returns. */
export const ANGEL_FIND_LIMIT = 200;

/** The running double and its table. */
export interface AngelBackendDouble extends DoubleServer {
  /** Every angel row; `add()` needs an `eventType`, the table holds several. */
  readonly outbox: OutboxStore<AngelEventPayload>;
  /** Empties the table and forgets calls and faults, for reuse across tests. */
  reset(): void;
}

const FIND: FindBehaviour = {
  order: "createdAt",
  limit: ANGEL_FIND_LIMIT,
  knownEventTypes: ANGEL_EVENT_TYPES,
  formatDate: isoText,
};

/** Starts the double; every call must carry `x-api-key: apiKey`, else it gets UNKNOWN. */
export async function startAngelBackend(opts: { apiKey: string; newTable?: TableFactory }): Promise<AngelBackendDouble> {
  const services = loadHoBomServices();
  const outbox = (opts.newTable ?? plainTables)<AngelEventPayload>({ initialRetryCount: () => 0 });

  const server = await startDoubleServer({
    apiKey: opts.apiKey,
    badApiKeyStatus: grpc.status.UNKNOWN,
    services: [
      {
        definition: services.angelFind,
        handlers: { FindOutboxByEventTypeAndStatusUseCase: findHandler(outbox, FIND) },
      },
      {
        definition: services.angelPatch,
        handlers: patchHandlers([outbox], { unknownEventId: "ok", onlyFromPendingOrFailed: true }),
      },
    ],
  });

  return {
    ...server,
    outbox,
    reset() {
      outbox.clear();
      server.calls.clear();
      server.faults.clear();
    },
  };
}
