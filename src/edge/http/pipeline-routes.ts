/**
 * GET /pipelines: what this instance runs, whether it owns each pipeline, how it fares, and its
 * DLQ entries (null while Redis cannot be reached: the rest still answers).
 */
import { Elysia } from "elysia";
import type { PrefixStats } from "../../state/dlq-index.ts";
import type { Ownership } from "./health-routes.ts";
import type { PipelineEntry } from "./pipeline-catalog.ts";
import type { PipelineStates } from "./pipeline-states.ts";
import { API_BASE } from "./route-table.ts";

/** A pipeline running here. */
export interface RunningPipeline {
  readonly name: string;
  /** Every instance runs it (its source divides the events): no lease, no owner. */
  readonly shared: boolean;
}

export function createPipelineRoutes(params: {
  instanceId: string;
  namespace: string;
  running: readonly RunningPipeline[];
  catalog: readonly PipelineEntry[];
  ownership: Ownership;
  states: PipelineStates;
  /** The DLQ index's counts of one prefix (without the namespace). */
  dlqStats: (prefix: string) => Promise<PrefixStats>;
}) {
  return new Elysia({ name: "pipeline-routes", prefix: API_BASE }).get("/pipelines", async () => {
    const owned = params.ownership();
    const pipelines = await Promise.all(
      params.running.map(async (pipeline) => {
        const entry = params.catalog.find((candidate) => candidate.name === pipeline.name);
        const dlqPrefix = entry?.dlqPrefix ?? "";
        return {
          name: pipeline.name,
          source: entry?.source ?? null,
          sink: entry?.sink ?? null,
          declared: entry?.declared ?? null,
          dlqPrefix: `${params.namespace}${dlqPrefix}`,
          state: pipeline.shared ? "shared" : (owned[pipeline.name] ?? "standby"),
          ...params.states.of(pipeline.name),
          // Redis away: the pipelines are still worth seeing (their health says why), without the count.
          dlqEntries: await params.dlqStats(dlqPrefix).then(
            (stats) => stats.entries,
            () => null,
          ),
        };
      }),
    );
    return { instance: params.instanceId, pipelines };
  });
}
