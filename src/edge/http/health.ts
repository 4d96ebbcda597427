/**
 * Dependency checks for /health: each probe really talks to its dependency, with a short timeout;
 * a dependency in an outage says since when, and the components the pipelines' cycles found
 * (pipeline-health.ts) come beside the probes'.
 */
import type { Outage } from "../../observability/outages.ts";
import { type Probe, type ProbeResult, runProbe } from "../../observability/probe.ts";

export type { Probe } from "../../observability/probe.ts";

export interface ComponentHealth extends ProbeResult {
  /** When its outage began (ISO 8601), while it lasts. */
  readonly since?: string;
}

export interface HealthReport {
  readonly status: "healthy" | "unhealthy";
  readonly components: Record<string, ComponentHealth>;
}

export function createHealthCheck(params: {
  probes: Record<string, Probe>;
  timeoutMs: number;
  /** Components known without probing (what the pipelines' cycles found), added to the probes'. */
  known?: () => Record<string, ComponentHealth>;
  /** The outages going on, by dependency: a failing probe's component says since when. */
  outages?: () => Readonly<Partial<Record<string, Outage>>>;
}): () => Promise<HealthReport> {
  return async () => {
    const probed = await Promise.all(Object.entries(params.probes).map(async ([name, probe]) => [name, await runProbe(probe, params.timeoutMs)] as const));
    const outages = params.outages?.() ?? {};
    const annotated = probed.map(([name, result]): [string, ComponentHealth] => {
      const since = outages[name]?.since;
      return [name, result.status === "unhealthy" && since !== undefined ? { ...result, since } : result];
    });
    const entries = [...annotated, ...Object.entries(params.known?.() ?? {})];
    const components = Object.fromEntries(entries);
    const healthy = entries.every(([, component]) => component.status === "healthy");
    return { status: healthy ? "healthy" : "unhealthy", components };
  };
}
