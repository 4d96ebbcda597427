/** /health (the Go shape), /health/live and /health/ready; no auth. */
import { Elysia } from "elysia";
import type { HealthReport } from "./health.ts";

/** Which pipelines this instance runs ("owned") and which it stands by for ("standby"). */
export type Ownership = () => Record<string, "owned" | "standby">;

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
      set.status = report.status === "healthy" ? 200 : 503;
      return { status: report.status === "healthy" ? "ready" : "not ready", components: report.components };
    });
}
