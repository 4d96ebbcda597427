/**
 * /health (the Go shape), /health/live and /health/ready; no auth.
 *
 * Readiness: an instance is ready while the dependencies it cannot do anything without answer —
 * Redis (leases, delivery records and the DLQ: without it no pipeline runs and the DLQ API cannot
 * answer). Kafka, a backend or a database being down makes it `degraded`, still ready: restarting
 * it or taking it out of rotation cures none of those (another instance would wait for the same
 * dependency), its DLQ API keeps answering, and its pipelines resume by themselves. Each missing
 * dependency is named with its error.
 */
import { Elysia } from "elysia";
import type { HealthReport } from "./health.ts";

/** Which pipelines this instance runs ("owned") and which it stands by for ("standby"). */
export type Ownership = () => Record<string, "owned" | "standby">;

/** The components an instance is not ready without. */
export const REQUIRED_FOR_READINESS: readonly string[] = ["redis"];

export function createHealthRoutes(params: { check: () => Promise<HealthReport>; instanceId: string; ownership: Ownership }) {
  return new Elysia({ name: "health-routes" })
    .get("/health", async ({ set }) => {
      const report = await params.check();
      set.status = report.status === "healthy" ? 200 : 503;
      return { ...report, instance: params.instanceId, pipelines: params.ownership() };
    })
    .get("/health/live", () => ({ status: "alive" }))
    .get("/health/ready", async ({ set }) => {
      const report = await params.check();
      const down = Object.entries(report.components).filter(([, component]) => component.status !== "healthy");
      const missing = down.filter(([name]) => REQUIRED_FOR_READINESS.includes(name)).map(([name, component]) => ({ name, error: component.error ?? null }));
      const degraded = down.filter(([name]) => !REQUIRED_FOR_READINESS.includes(name)).map(([name, component]) => ({ name, error: component.error ?? null }));
      set.status = missing.length === 0 ? 200 : 503;
      const status = missing.length > 0 ? "not ready" : degraded.length > 0 ? "degraded" : "ready";
      return { status, missing, degraded, components: report.components };
    });
}
