/** The HTTP API as one server: health, metrics and DLQ routes over the services they are given. */
import type { Config } from "../../config/config.ts";
import type { Logger } from "../../observability/logger.ts";
import type { PrometheusMetrics } from "../../observability/metrics.ts";
import type { DlqEntries } from "../../state/dlq-entries.ts";
import type { DlqService } from "../dlq-service.ts";
import { apiKeyCheck } from "./api-key.ts";
import { createHttpApp, MAX_BODY_BYTES } from "./app.ts";
import { type CatalogEntry, knownPrefixes } from "./dlq-key.ts";
import { createDlqRoutes } from "./dlq-routes.ts";
import type { HealthReport } from "./health.ts";
import { createHealthRoutes, type Ownership } from "./health-routes.ts";
import { createMetricsRoutes } from "./metrics-routes.ts";

export function startHttpServer(params: {
  config: Config;
  log: Logger;
  metrics: PrometheusMetrics;
  entries: DlqEntries;
  dlq: DlqService;
  catalog: readonly CatalogEntry[];
  namespace: string;
  health: () => Promise<HealthReport>;
  ownership: Ownership;
  /** Sets gauges that are read, not counted, just before a scrape. */
  beforeScrape: () => void;
}): { port: number | undefined; stop(): Promise<unknown> } {
  const { config, log, metrics, entries, namespace, catalog } = params;
  const http = createHttpApp({
    log,
    routes: [
      createHealthRoutes({ check: params.health, instanceId: config.relay.instanceId, ownership: params.ownership }),
      createMetricsRoutes({
        registry: metrics.registry,
        beforeScrape: async () => {
          params.beforeScrape();
          // One SCAN over every DLQ key, counted by prefix.
          const prefixes = knownPrefixes(namespace, catalog);
          const { items } = await entries.list({ matchPrefixes: prefixes, count: 1000, maxKeys: 100_000 });
          for (const prefix of prefixes) metrics.dlqEntries.set({ prefix }, items.filter((key) => key.startsWith(prefix)).length);
        },
      }),
      createDlqRoutes({ entries, dlq: params.dlq, namespace, catalog, checkApiKey: apiKeyCheck(config.http.internalApiKey, config.http.dlqAuth) }),
    ],
  });
  if (!config.http.dlqAuth) log.warn("HOBOM_DLQ_AUTH=off: the DLQ routes accept requests without an api key");
  else if (config.http.internalApiKey === undefined) log.warn("HOBOM_INTERNAL_API_KEY is not set: the DLQ routes answer 401");
  const server = http.listen({ hostname: config.http.hostname, port: config.http.port, maxRequestBodySize: MAX_BODY_BYTES });
  return { port: server.server?.port, stop: () => server.stop(true) };
}
