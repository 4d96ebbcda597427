/** GET /metrics: Prometheus text format. */
import { Elysia } from "elysia";
import type { Registry } from "prom-client";

export function createMetricsRoutes(params: { registry: Registry; beforeScrape?: () => Promise<void> }) {
  return new Elysia({ name: "metrics-routes" }).get("/metrics", async ({ set }) => {
    await params.beforeScrape?.().catch(() => {});
    set.headers["content-type"] = params.registry.contentType;
    return params.registry.metrics();
  });
}
