/** The build and whether each dependency answers, as Prometheus series: what a dashboard shows first. */
import { Gauge, type Registry } from "prom-client";

export function createHealthMetrics(params: { registry: Registry; version: string; commit: string; dependencies: readonly string[] }) {
  new Gauge({
    name: "hobom_build_info",
    help: "Always 1; the labels say which build runs.",
    labelNames: ["version", "commit"] as const,
    registers: [params.registry],
  }).set({ version: params.version, commit: params.commit }, 1);
  const up = new Gauge({
    name: "hobom_dependency_up",
    help: "1 while the dependency answers its health probe and the relay's calls, 0 during an outage (redis, kafka, every configured backend and database).",
    labelNames: ["dependency"] as const,
    registers: [params.registry],
  });
  // Up until an outage says otherwise: the first probe runs at start.
  for (const dependency of params.dependencies) up.set({ dependency }, 1);
  return { dependencyUp: (dependency: string, isUp: boolean) => up.set({ dependency }, isUp ? 1 : 0) };
}
