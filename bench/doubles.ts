/**
 * The backend doubles the benchmark runs in its own process: the test doubles' gRPC server, Find
 * and Patch handlers and wire formats (contracts, section 4), over {@link MeasuredOutboxStore}s.
 * The call log is kept (it is part of the double) but can be emptied during long runs.
 */
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../src/grpc/protos.ts";
import type {
  AngelEventPayload,
  HoBomLogPayload,
  LawChangedPayload,
  MessagePayload,
  SaveStudyMaterialRequest,
  SpaceEventPayload,
} from "../src/grpc/wire-types.ts";
import { ANGEL_EVENT_TYPES, ANGEL_FIND_LIMIT } from "../test/support/backends/angel-backend.ts";
import { startDoubleServer, type DoubleServer } from "../test/support/backends/double-server.ts";
import { hobomInitialRetryCount } from "../test/support/backends/hobom-backend.ts";
import { startLlmBackend, type LlmBackendDouble } from "../test/support/backends/llm-backend.ts";
import { findHandler } from "../test/support/backends/outbox-find.ts";
import { patchHandlers } from "../test/support/backends/outbox-patch.ts";
import { StudyMaterialTable } from "../test/support/backends/study-materials.ts";
import { dotnetRoundTrip, isoText, jsDateText } from "../test/support/backends/wire-dates.ts";
import { MeasuredOutboxStore } from "./measured-store.ts";

export const BENCH_API_KEY = "bench-backend-key";

export interface BenchHoBom extends DoubleServer {
  readonly messages: MeasuredOutboxStore<MessagePayload>;
  readonly logs: MeasuredOutboxStore<HoBomLogPayload>;
  readonly laws: MeasuredOutboxStore<LawChangedPayload>;
  readonly studyMaterials: StudyMaterialTable;
}

export interface BenchSpace extends DoubleServer {
  readonly spaceEvents: MeasuredOutboxStore<SpaceEventPayload>;
  readonly logs: MeasuredOutboxStore<HoBomLogPayload>;
}

export interface BenchAngel extends DoubleServer {
  readonly outbox: MeasuredOutboxStore<AngelEventPayload>;
}

/** The doubles one workload needs; the others are not started (their pipelines stay off). */
export interface BenchBackends {
  readonly hobom: BenchHoBom;
  readonly space?: BenchSpace;
  readonly angel?: BenchAngel;
  readonly llm?: LlmBackendDouble;
  /** Every table, for "are all rows SENT yet". */
  readonly stores: readonly MeasuredOutboxStore<unknown>[];
  /** Empties every call log (they grow by one entry per call). */
  clearCallLogs(): void;
  stop(): void;
}

/** for-hobom-backend: natural order, no limit, `Date.toString()` dates, silent unknown marks. */
async function startHoBom(): Promise<BenchHoBom> {
  const services = loadHoBomServices();
  const table = <P>(eventType: string) =>
    new MeasuredOutboxStore<P>({ defaultEventType: eventType, initialRetryCount: hobomInitialRetryCount });
  const messages = table<MessagePayload>("MESSAGE");
  const logs = table<HoBomLogPayload>("HOBOM_LOG");
  const laws = table<LawChangedPayload>("LAW_CHANGED");
  const studyMaterials = new StudyMaterialTable();
  const find = { order: "insertion", formatDate: jsDateText } as const;
  const server = await startDoubleServer({
    apiKey: BENCH_API_KEY,
    badApiKeyStatus: grpc.status.UNKNOWN,
    services: [
      { definition: services.messageFind, handlers: { FindOutboxByEventTypeAndStatusUseCase: findHandler(messages, find) } },
      { definition: services.logFind, handlers: { FindLogOutboxByEventTypeAndStatusUseCase: findHandler(logs, find) } },
      { definition: services.lawFind, handlers: { FindOutboxByEventTypeAndStatusUseCase: findHandler(laws, find) } },
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
  return { ...server, messages, logs, laws, studyMaterials };
}

/** hobom-space-backend: createdAt order, no limit, round-trip dates, NOT_FOUND for unknown marks. */
async function startSpace(): Promise<BenchSpace> {
  const services = loadHoBomServices();
  const table = <P>(eventType: string) => new MeasuredOutboxStore<P>({ defaultEventType: eventType, initialRetryCount: () => 0 });
  const spaceEvents = table<SpaceEventPayload>("SPACE_EVENT");
  const logs = table<HoBomLogPayload>("SPACE_LOG");
  const find = { order: "createdAt", formatDate: dotnetRoundTrip } as const;
  const server = await startDoubleServer({
    apiKey: BENCH_API_KEY,
    badApiKeyStatus: grpc.status.UNAUTHENTICATED,
    services: [
      { definition: services.spaceFind, handlers: { FindOutboxByEventTypeAndStatusUseCase: findHandler(spaceEvents, find) } },
      { definition: services.logFind, handlers: { FindLogOutboxByEventTypeAndStatusUseCase: findHandler(logs, find) } },
      {
        definition: services.spacePatch,
        handlers: patchHandlers([spaceEvents, logs], { unknownEventId: "not-found", onlyFromPendingOrFailed: false }),
      },
    ],
  });
  return { ...server, spaceEvents, logs };
}

/** for-hobom-angel-backend: createdAt order, 200 rows per Find, ISO dates, no re-mark of SENT. */
async function startAngel(): Promise<BenchAngel> {
  const services = loadHoBomServices();
  const outbox = new MeasuredOutboxStore<AngelEventPayload>({ initialRetryCount: () => 0 });
  const find = { order: "createdAt", limit: ANGEL_FIND_LIMIT, knownEventTypes: ANGEL_EVENT_TYPES, formatDate: isoText } as const;
  const server = await startDoubleServer({
    apiKey: BENCH_API_KEY,
    badApiKeyStatus: grpc.status.UNKNOWN,
    services: [
      { definition: services.angelFind, handlers: { FindOutboxByEventTypeAndStatusUseCase: findHandler(outbox, find) } },
      { definition: services.angelPatch, handlers: patchHandlers([outbox], { unknownEventId: "ok", onlyFromPendingOrFailed: true }) },
    ],
  });
  return { ...server, outbox };
}

/** Starts for-hobom-backend and whichever other backends are asked for, on loopback ports. */
export async function startBenchBackends(which: { space?: boolean; angel?: boolean; llm?: boolean } = {}): Promise<BenchBackends> {
  const [hobom, space, angel, llm] = await Promise.all([
    startHoBom(),
    which.space ? startSpace() : undefined,
    which.angel ? startAngel() : undefined,
    which.llm ? startLlmBackend({ apiKey: BENCH_API_KEY }) : undefined,
  ]);
  const servers: DoubleServer[] = [hobom, space, angel, llm].filter((server) => server !== undefined);
  const stores = [hobom.messages, hobom.logs, hobom.laws, space?.spaceEvents, space?.logs, angel?.outbox].filter(
    (store) => store !== undefined,
  ) as MeasuredOutboxStore<unknown>[];
  return {
    hobom,
    space,
    angel,
    llm,
    stores,
    clearCallLogs() {
      for (const server of servers) server.calls.clear();
    },
    stop() {
      for (const server of servers) server.stop();
    },
  };
}
