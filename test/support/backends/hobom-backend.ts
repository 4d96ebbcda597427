/**
 * A double of for-hobom-backend (NestJS): the MESSAGE, HOBOM_LOG and LAW_CHANGED outboxes, the one
 * Patch service that marks all three, and SaveStudyMaterial.
 */
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import type { HoBomLogPayload, LawChangedPayload, MessagePayload, SaveStudyMaterialRequest } from "../../../src/hobom/wire-types.ts";
import { type DoubleServer, startDoubleServer } from "./double-server.ts";
import { type FindBehaviour, findHandler } from "./outbox-find.ts";
import { patchHandlers } from "./outbox-patch.ts";
import { type OutboxStore, plainTables, type TableFactory } from "./outbox-store.ts";
import { StudyMaterialTable } from "./study-materials.ts";
import { jsDateText } from "./wire-dates.ts";

/** The running double and its tables. */
export interface HoBomBackendDouble extends DoubleServer {
  /** MESSAGE rows (message Find). */
  readonly messages: OutboxStore<MessagePayload>;
  /** HOBOM_LOG rows (log Find). */
  readonly logs: OutboxStore<HoBomLogPayload>;
  /** LAW_CHANGED rows (law Find). */
  readonly laws: OutboxStore<LawChangedPayload>;
  /** What SaveStudyMaterial stored. */
  readonly studyMaterials: StudyMaterialTable;
  /** Empties every table and forgets calls and faults, for reuse across tests. */
  reset(): void;
}

/** New MESSAGE and HOBOM_LOG rows start at retryCount 1 (an entity default), LAW_CHANGED at 0. */
export function hobomInitialRetryCount(eventType: string): number {
  return eventType === "MESSAGE" || eventType === "HOBOM_LOG" ? 1 : 0;
}

/** No ORDER BY, no LIMIT, dates through `Date.toString()`, unknown type or status: no rows. */
const FIND: FindBehaviour = { order: "insertion", formatDate: jsDateText };

/** Starts the double; every call must carry `x-api-key: apiKey`, else it gets UNKNOWN. */
export async function startHoBomBackend(opts: {
  apiKey: string;
  tls?: { keyPem: Buffer; certPem: Buffer };
  newTable?: TableFactory;
}): Promise<HoBomBackendDouble> {
  const services = loadHoBomServices();
  const newTable = opts.newTable ?? plainTables;
  const table = <P>(eventType: string) => newTable<P>({ defaultEventType: eventType, initialRetryCount: hobomInitialRetryCount });
  const messages = table<MessagePayload>("MESSAGE");
  const logs = table<HoBomLogPayload>("HOBOM_LOG");
  const laws = table<LawChangedPayload>("LAW_CHANGED");
  const studyMaterials = new StudyMaterialTable();

  const server = await startDoubleServer({
    apiKey: opts.apiKey,
    tls: opts.tls,
    // A NestJS guard's exception is not an RpcException, so the gRPC transport answers UNKNOWN.
    badApiKeyStatus: grpc.status.UNKNOWN,
    services: [
      {
        definition: services.messageFind,
        handlers: { FindOutboxByEventTypeAndStatusUseCase: findHandler(messages, FIND) },
      },
      {
        definition: services.logFind,
        handlers: { FindLogOutboxByEventTypeAndStatusUseCase: findHandler(logs, FIND) },
      },
      {
        definition: services.lawFind,
        handlers: { FindOutboxByEventTypeAndStatusUseCase: findHandler(laws, FIND) },
      },
      {
        definition: services.messagePatch,
        handlers: patchHandlers([messages, logs, laws], { unknownEventId: "ok", onlyFromPendingOrFailed: false }),
      },
      {
        definition: services.lawSave,
        handlers: {
          SaveStudyMaterial: (request: SaveStudyMaterialRequest) => {
            studyMaterials.save(request);
            return {};
          },
        },
      },
    ],
  });

  return {
    ...server,
    messages,
    logs,
    laws,
    studyMaterials,
    reset() {
      for (const store of [messages, logs, laws]) store.clear();
      studyMaterials.clear();
      server.calls.clear();
      server.faults.clear();
    },
  };
}
