/**
 * A double of hobom-space-backend (.NET): the SPACE_EVENT outbox, the SPACE_LOG outbox behind the
 * shared log Find, and the space Patch service that marks both.
 */
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import type { HoBomLogPayload, SpaceEventPayload } from "../../../src/hobom/wire-types.ts";
import { type DoubleServer, startDoubleServer } from "./double-server.ts";
import { type FindBehaviour, findHandler } from "./outbox-find.ts";
import { patchHandlers } from "./outbox-patch.ts";
import { type OutboxStore, plainTables, type TableFactory } from "./outbox-store.ts";
import { dotnetRoundTrip } from "./wire-dates.ts";

/** The running double and its tables. */
export interface SpaceBackendDouble extends DoubleServer {
  /** SPACE_EVENT rows (space Find). `pageId` is an int64 as a decimal string. */
  readonly spaceEvents: OutboxStore<SpaceEventPayload>;
  /** SPACE_LOG rows (log Find). */
  readonly logs: OutboxStore<HoBomLogPayload>;
  /** Empties every table and forgets calls and faults, for reuse across tests. */
  reset(): void;
}

/** ORDER BY createdAt, no LIMIT, round-trip dates, unknown type or status: no rows. */
const FIND: FindBehaviour = { order: "createdAt", formatDate: dotnetRoundTrip };

/** Starts the double; every call must carry `x-api-key: apiKey`, else it gets UNAUTHENTICATED. */
export async function startSpaceBackend(opts: { apiKey: string; newTable?: TableFactory }): Promise<SpaceBackendDouble> {
  const services = loadHoBomServices();
  const newTable = opts.newTable ?? plainTables;
  const table = <P>(eventType: string) => newTable<P>({ defaultEventType: eventType, initialRetryCount: () => 0 });
  const spaceEvents = table<SpaceEventPayload>("SPACE_EVENT");
  const logs = table<HoBomLogPayload>("SPACE_LOG");

  const server = await startDoubleServer({
    apiKey: opts.apiKey,
    badApiKeyStatus: grpc.status.UNAUTHENTICATED,
    services: [
      {
        definition: services.spaceFind,
        handlers: { FindOutboxByEventTypeAndStatusUseCase: findHandler(spaceEvents, FIND) },
      },
      {
        definition: services.logFind,
        handlers: { FindLogOutboxByEventTypeAndStatusUseCase: findHandler(logs, FIND) },
      },
      {
        definition: services.spacePatch,
        handlers: patchHandlers([spaceEvents, logs], { unknownEventId: "not-found", onlyFromPendingOrFailed: false }),
      },
    ],
  });

  return {
    ...server,
    spaceEvents,
    logs,
    reset() {
      spaceEvents.clear();
      logs.clear();
      server.calls.clear();
      server.faults.clear();
    },
  };
}
