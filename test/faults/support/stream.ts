/**
 * A steady stream of outbox rows across six pipelines, added to the backend doubles while the relay
 * runs: rows appear at a fixed rate (not all at once), about 1 % of them broken on purpose (no
 * payload) so that the DLQ path runs under the fault too, and on demand a few message rows too large
 * for their topic, spread over the stream. Every row can be found again in Kafka:
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
  /** A message row larger than its topic takes (see StreamOptions.oversized): it too can only end FAILED with a DLQ entry. */
  readonly oversized: boolean;
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
  /** `count` message rows whose body is `bytes` long, spread evenly over the stream's message rows. */
  readonly oversized?: { readonly count: number; readonly bytes: number };
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

  const oversizedEvery = options.oversized ? Math.max(1, Math.floor(messageRows(options.total) / options.oversized.count)) : 0;
  let messagesSoFar = 0;
  let oversizedSoFar = 0;
  const addOne = () => {
    const index = rows.length;
    const pipeline = ROTATION[index % ROTATION.length] as StreamPipeline;
    const ordinal = pipeline === "message" ? messagesSoFar++ : -1;
    // Half a period in, so that the first oversized row meets a relay that is already delivering.
    const oversized =
      options.oversized !== undefined &&
      ordinal >= 0 &&
      ordinal % oversizedEvery === Math.floor(oversizedEvery / 2) &&
      oversizedSoFar++ < options.oversized.count;
    // A period prime to the rotation's length spreads the bad rows over every pipeline.
    const bad = !oversized && index % options.badEvery === Math.floor(options.badEvery / 2);
    const eventId = crypto.randomUUID();
    const body = oversized ? "x".repeat(options.oversized?.bytes ?? 0) : undefined;
    rows.push({ index, pipeline, eventId, bad, oversized, createdAt: performance.now(), live: addRow(backends, pipeline, eventId, bad, index, body) });
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

/** How many of the first `total` rows the rotation gives the message pipeline. */
function messageRows(total: number): number {
  let count = 0;
  for (let index = 0; index < total; index++) if (ROTATION[index % ROTATION.length] === "message") count++;
  return count;
}

function addRow(backends: StreamBackends, pipeline: StreamPipeline, eventId: string, bad: boolean, index: number, body?: string): StoredRow<unknown> {
  const n = String(index);
  switch (pipeline) {
    case "message":
      return backends.hobom.messages.add({
        eventId,
        payload: bad ? null : messagePayload({ id: `msg-${n}`, title: `fault stream ${n}`, ...(body === undefined ? {} : { body }) }),
      });
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
