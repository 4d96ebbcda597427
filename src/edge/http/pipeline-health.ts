/**
 * What the pipelines' last cycles say about their dependencies, for /health: a probe that reaches
 * a backend or Kafka proves little when every Find of that backend hangs, or the topic a pipeline
 * writes does not exist. Each pipeline's latest failure streak becomes a health component until a
 * cycle of it succeeds again: the destination (`kafka topic <name>`) for one that cannot take events
 * (naming the pipelines that wait for it), `pipeline <name>` for anything else that fails its
 * cycles. A sink that cannot be reached at all is its probe's to report.
 */
import { BreakerOpenError, DestinationError, describeError } from "../../engine/errors.ts";
import { BackendCallError } from "../../grpc/status.ts";
import type { ComponentHealth } from "./health.ts";

export interface PipelineHealth {
  /** A cycle of `pipeline` ended well: its streak of failures, if any, is over. */
  succeeded(pipeline: string): void;
  /** A cycle of `pipeline` failed with `error`. */
  failed(pipeline: string, error: unknown): void;
  /** The components of the failures that last now. */
  components(): Record<string, ComponentHealth>;
}

interface Streak {
  readonly since: string;
  cycles: number;
  error: unknown;
}

export function createPipelineHealth(now: () => Date = () => new Date()): PipelineHealth {
  const streaks = new Map<string, Streak>();
  return {
    succeeded: (pipeline) => void streaks.delete(pipeline),
    failed(pipeline, error) {
      const streak = streaks.get(pipeline);
      if (streak) {
        streak.cycles++;
        streak.error = error;
      } else {
        streaks.set(pipeline, { since: now().toISOString(), cycles: 1, error });
      }
    },
    components() {
      const components: Record<string, ComponentHealth> = {};
      const waiting = new Map<string, { error: DestinationError; pipelines: string[] }>();
      for (const [pipeline, streak] of streaks) {
        const { error } = streak;
        if (error instanceof BreakerOpenError) continue;
        if (error instanceof DestinationError) {
          const entry = waiting.get(error.destination) ?? { error, pipelines: [] };
          entry.pipelines.push(pipeline);
          waiting.set(error.destination, entry);
          continue;
        }
        components[`pipeline ${pipeline}`] = unhealthy(`${explain(error)}; ${streak.cycles} cycle(s) failed since ${streak.since}`);
      }
      for (const [destination, { error, pipelines }] of waiting) {
        components[destination] = unhealthy(`${error.message} (pipelines waiting: ${pipelines.join(", ")})`);
      }
      return components;
    },
  };
}

function unhealthy(error: string): ComponentHealth {
  return { status: "unhealthy", latencyMs: 0, error };
}

function explain(error: unknown): string {
  if (error instanceof BackendCallError && error.code === "DEADLINE_EXCEEDED") {
    return `${error.backend} ${error.method} answered nothing before its deadline (the backend hangs)`;
  }
  return describeError(error);
}
