/**
 * Filling the doubles' tables: rows of every outbox type with realistic payloads (the test
 * payload factories, with per-row ids), created "now" unless a time is given. The creation time is
 * always passed explicitly: the test store's default spaces rows 1 ms apart, which for 100,000
 * rows would put createdAt 100 s into the future.
 */

import { ANGEL_EVENT_TYPES } from "../src/hobom/pipelines.ts";
import {
  angelAccessLogPayload,
  angelApprovalPayload,
  angelFosterTerminatedPayload,
  lawChangedPayload,
  logPayload,
  messagePayload,
  spaceEventPayload,
} from "../test/support/backends/payloads.ts";
import type { BenchBackends } from "./doubles.ts";
import type { MeasuredOutboxStore } from "./measured-store.ts";

/** The seven pipelines, by the name the relay gives them. */
export type PipelineName = "message" | "log" | "space" | "space-log" | "law" | "angel" | "angel-log";

export const ALL_PIPELINES: readonly PipelineName[] = ["message", "log", "space", "space-log", "law", "angel", "angel-log"];

let serial = 0;

/** Adds one PENDING row to the pipeline's table; returns its eventId. */
export function addRow(backends: BenchBackends, pipeline: PipelineName, createdAt: Date = new Date()): string {
  const n = ++serial;
  const { hobom, space, angel } = backends;
  switch (pipeline) {
    case "message":
      return hobom.messages.add({ payload: messagePayload({ id: `msg-${n}`, recipient: `user-${n}@example.com` }), createdAt }).eventId;
    case "log":
      return hobom.logs.add({ payload: logPayload({ traceId: `trace-${n}` }), createdAt }).eventId;
    case "law":
      return hobom.laws.add({ payload: lawChangedPayload({ diffId: `diff-${n}` }), createdAt }).eventId;
    case "space":
      return need(space, pipeline).spaceEvents.add({ payload: spaceEventPayload({ pageId: String(n) }), createdAt }).eventId;
    case "space-log":
      return need(space, pipeline).logs.add({ payload: logPayload({ traceId: `trace-${n}`, serviceType: "HOBOM_SPACE" }), createdAt }).eventId;
    case "angel": {
      const eventType = ANGEL_EVENT_TYPES[n % ANGEL_EVENT_TYPES.length] as string;
      const payload =
        eventType === "FOSTER_TERMINATED"
          ? angelFosterTerminatedPayload({ foster_process_id: `foster-${n}` })
          : angelApprovalPayload({ subject_ref: `subject-${n}` });
      return need(angel, pipeline).outbox.add({ eventType, payload, createdAt }).eventId;
    }
    case "angel-log":
      return need(angel, pipeline).outbox.add({ eventType: "HOBOM_LOG", payload: angelAccessLogPayload({ trace_id: `trace-${n}` }), createdAt }).eventId;
  }
}

/** Adds `count` rows created at `createdAt` (one backlog, all equally old). */
export function addRows(backends: BenchBackends, pipeline: PipelineName, count: number, createdAt: Date = new Date()): void {
  for (let i = 0; i < count; i++) addRow(backends, pipeline, createdAt);
}

/** The table a pipeline's rows live in. */
export function storeOf(backends: BenchBackends, pipeline: PipelineName): MeasuredOutboxStore<unknown> {
  const { hobom, space, angel } = backends;
  switch (pipeline) {
    case "message":
      return hobom.messages;
    case "log":
      return hobom.logs;
    case "law":
      return hobom.laws;
    case "space":
      return need(space, pipeline).spaceEvents;
    case "space-log":
      return need(space, pipeline).logs;
    case "angel":
    case "angel-log":
      return need(angel, pipeline).outbox;
  }
}

function need<T>(double: T | undefined, pipeline: PipelineName): T {
  if (double === undefined) throw new Error(`the ${pipeline} pipeline needs a double that was not started`);
  return double;
}
