/**
 * Each pipeline's health as GET /pipelines shows it: failing from a failed cycle until one
 * succeeds, with that failure's error. It sits in front of the cycle reports that /health reads
 * (pipeline-health.ts) and passes every report on to them unchanged.
 */
import { describeError } from "../../engine/errors.ts";
import type { PipelineHealth } from "./pipeline-health.ts";

export interface PipelineState {
  readonly health: "healthy" | "failing";
  /** The error of the failing cycles; null while healthy. */
  readonly lastError: string | null;
}

export interface PipelineStates {
  /** The cycle reports, to give the engine in place of `health`'s. */
  readonly reports: Pick<PipelineHealth, "succeeded" | "failed">;
  of(pipeline: string): PipelineState;
}

export function trackPipelineStates(health: Pick<PipelineHealth, "succeeded" | "failed">): PipelineStates {
  const failing = new Map<string, string>();
  return {
    reports: {
      succeeded(pipeline) {
        failing.delete(pipeline);
        health.succeeded(pipeline);
      },
      failed(pipeline, error) {
        failing.set(pipeline, describeError(error));
        health.failed(pipeline, error);
      },
    },
    of(pipeline) {
      const error = failing.get(pipeline);
      return error === undefined ? { health: "healthy", lastError: null } : { health: "failing", lastError: error };
    },
  };
}
