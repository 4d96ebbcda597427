/**
 * The backend doubles the benchmark runs in its own process: the test doubles themselves
 * (test/support/backends, contracts section 4), whose tables are {@link MeasuredOutboxStore}s that
 * also record when each row was marked. The call logs grow by one entry per call and can be
 * emptied during long runs.
 */
import type { AngelEventPayload, HoBomLogPayload, LawChangedPayload, MessagePayload, SpaceEventPayload } from "../src/hobom/wire-types.ts";
import {
  type AngelBackendDouble,
  type DoubleServer,
  type HoBomBackendDouble,
  type LlmBackendDouble,
  type OutboxStore,
  type SpaceBackendDouble,
  startAngelBackend,
  startHoBomBackend,
  startLlmBackend,
  startSpaceBackend,
} from "../test/support/backends/index.ts";
import type { TableFactory } from "../test/support/backends/outbox-store.ts";
import { MeasuredOutboxStore } from "./measured-store.ts";

export const BENCH_API_KEY = "bench-backend-key";

export interface BenchHoBom extends HoBomBackendDouble {
  readonly messages: MeasuredOutboxStore<MessagePayload>;
  readonly logs: MeasuredOutboxStore<HoBomLogPayload>;
  readonly laws: MeasuredOutboxStore<LawChangedPayload>;
}

export interface BenchSpace extends SpaceBackendDouble {
  readonly spaceEvents: MeasuredOutboxStore<SpaceEventPayload>;
  readonly logs: MeasuredOutboxStore<HoBomLogPayload>;
}

export interface BenchAngel extends AngelBackendDouble {
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

const measuredTables: TableFactory = (options) => new MeasuredOutboxStore(options);

/** A table of a double started with {@link measuredTables}. */
function measured<P>(store: OutboxStore<P>): MeasuredOutboxStore<P> {
  if (!(store instanceof MeasuredOutboxStore)) throw new Error("a bench double was started without measuring tables");
  return store;
}

/** Starts for-hobom-backend and whichever other backends are asked for, on loopback ports. */
export async function startBenchBackends(which: { space?: boolean; angel?: boolean; llm?: boolean } = {}): Promise<BenchBackends> {
  const options = { apiKey: BENCH_API_KEY, newTable: measuredTables };
  const [hobomDouble, spaceDouble, angelDouble, llm] = await Promise.all([
    startHoBomBackend(options),
    which.space ? startSpaceBackend(options) : undefined,
    which.angel ? startAngelBackend(options) : undefined,
    which.llm ? startLlmBackend({ apiKey: BENCH_API_KEY }) : undefined,
  ]);
  const hobom: BenchHoBom = { ...hobomDouble, messages: measured(hobomDouble.messages), logs: measured(hobomDouble.logs), laws: measured(hobomDouble.laws) };
  const space: BenchSpace | undefined = spaceDouble && { ...spaceDouble, spaceEvents: measured(spaceDouble.spaceEvents), logs: measured(spaceDouble.logs) };
  const angel: BenchAngel | undefined = angelDouble && { ...angelDouble, outbox: measured(angelDouble.outbox) };
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
