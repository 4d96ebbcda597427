/**
 * A steady stream of outbox rows across six pipelines, added to the backend doubles while the relay
 * runs: rows appear at a fixed rate (not all at once), about 1 % of them broken on purpose (no
 * payload) so that the DLQ path runs under the fault too. Every row can be found again in Kafka:
 * event topics are keyed by eventId, and log items carry the row's eventId as their traceId.
 */
import type { AngelBackendDouble, HoBomBackendDouble, SpaceBackendDouble, StoredRow } from "../../support/backends/index.ts";
import {
  angelAccessLogPayload,
  angelApprovalPayload,
  angelFosterTerminatedPayload,
  logPayload,
  messagePayload,
  spaceEventPayload,
} from "../../support/backends/index.ts";

/** The Kafka pipelines the stream feeds (law has no Kafka topic and is left out). */
export const STREAM_PIPELINES = ["message", "log", "space", "space-log", "angel", "angel-log"] as const;
export type StreamPipeline = (typeof STREAM_PIPELINES)[number];

/** Which topic each pipeline writes (by relayTestSetup's topic names) and its DLQ prefix. */
export const PIPELINE_TOPIC: Record<StreamPipeline, "messages" | "logs" | "spaceEvents" | "angelEvents"> = {
  message: "messages",
  log: "logs",
  space: "spaceEvents",
  "space-log": "logs",
  angel: "angelEvents",
  "angel-log": "logs",
};
export const PIPELINE_DLQ_PREFIX: Record<StreamPipeline, string> = {
  message: "dlq:menu:",
  log: "dlq:log:",
  space: "dlq:space:",
  "space-log": "dlq:space-log:",
  angel: "dlq:angel:",
  "angel-log": "dlq:angel-log:",
};

const ANGEL_EVENT_TYPES = ["ADOPTION_APPROVED", "FOSTER_APPROVED", "STAFF_PROMOTION_APPROVED", "SHELTER_VERIFICATION_APPROVED", "FOSTER_TERMINATED"] as const;

/** One row the stream created, with its live row in the double (its status changes as the relay marks it). */
export interface StreamRow {
  readonly index: number;
  readonly pipeline: StreamPipeline;
  readonly eventId: string;
  /** No payload: it can only end FAILED with a DLQ entry. */
  readonly bad: boolean;
  /** performance.now() when it was added. */
  readonly createdAt: number;
  readonly live: StoredRow<unknown>;
}

export interface StreamBackends {
  readonly hobom: HoBomBackendDouble;
  readonly space: SpaceBackendDouble;
  readonly angel: AngelBackendDouble;
}

export interface StreamOptions {
  readonly total: number;
  readonly ratePerSecond: number;
  /** Every n-th row has no payload (97: about 1 %; keep it prime to 10 so every pipeline gets some). */
  readonly badEvery: number;
}

export interface RowStream {
  /** Rows created so far, in creation order (the array grows while the stream runs). */
  readonly rows: readonly StreamRow[];
  /** Resolves once `total` rows exist. */
  readonly done: Promise<void>;
  /** Resolves once at least `count` rows exist. */
  created(count: number): Promise<void>;
  /** Stops adding rows (for cleanup after a failure). */
  stop(): void;
}

/** The pipeline of the n-th row: a fixed rotation, so every scenario gets the same mix. */
const ROTATION: readonly StreamPipeline[] = ["message", "log", "space", "angel", "space-log", "angel-log", "message", "log", "space", "angel"];

/** Starts adding rows at once; they keep coming at `ratePerSecond` until `total`. */
export function startStream(backends: StreamBackends, options: StreamOptions): RowStream {
  const rows: StreamRow[] = [];
  const started = performance.now();
  const waiters: { count: number; resolve: () => void }[] = [];
  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const addOne = () => {
    const index = rows.length;
    const pipeline = ROTATION[index % ROTATION.length] as StreamPipeline;
    // A period prime to the rotation's length spreads the bad rows over every pipeline.
    const bad = index % options.badEvery === Math.floor(options.badEvery / 2);
    const eventId = crypto.randomUUID();
    rows.push({ index, pipeline, eventId, bad, createdAt: performance.now(), live: addRow(backends, pipeline, eventId, bad, index) });
  };

  const tick = () => {
    if (stopped) return;
    const due = Math.min(options.total, Math.floor(((performance.now() - started) / 1000) * options.ratePerSecond) + 1);
    while (rows.length < due) addOne();
    for (const waiter of waiters.filter((w) => rows.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (rows.length >= options.total) {
      clearInterval(timer);
      resolveDone();
    }
  };
  const timer = setInterval(tick, 10);
  tick();

  return {
    rows,
    done,
    created(count) {
      if (rows.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      resolveDone();
      for (const waiter of waiters.splice(0)) waiter.resolve();
    },
  };
}

function addRow(backends: StreamBackends, pipeline: StreamPipeline, eventId: string, bad: boolean, index: number): StoredRow<unknown> {
  const n = String(index);
  switch (pipeline) {
    case "message":
      return backends.hobom.messages.add({ eventId, payload: bad ? null : messagePayload({ id: `msg-${n}`, title: `fault stream ${n}` }) });
    case "log":
      return backends.hobom.logs.add({ eventId, payload: bad ? null : logPayload({ traceId: eventId, message: `GET /api/v1/menus ${n}` }) });
    case "space":
      return backends.space.spaceEvents.add({
        eventId,
        payload: bad ? null : spaceEventPayload({ pageId: String(9_007_199_254_740_993n + BigInt(index)), title: `page ${n}` }),
      });
    case "space-log":
      return backends.space.logs.add({ eventId, payload: bad ? null : logPayload({ traceId: eventId, serviceType: "HOBOM_SPACE", message: `space ${n}` }) });
    case "angel": {
      const eventType = ANGEL_EVENT_TYPES[Math.floor(index / ROTATION.length) % ANGEL_EVENT_TYPES.length] as string;
      const payload =
        eventType === "FOSTER_TERMINATED"
          ? angelFosterTerminatedPayload({ foster_process_id: `foster-${n}` })
          : angelApprovalPayload({ subject_ref: `subject-${n}` });
      return backends.angel.outbox.add({ eventId, eventType, payload: bad ? null : payload });
    }
    case "angel-log":
      return backends.angel.outbox.add({
        eventId,
        eventType: "HOBOM_LOG",
        payload: bad ? null : angelAccessLogPayload({ trace_id: eventId, message: `angel ${n}` }),
      });
  }
}
