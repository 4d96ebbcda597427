/**
 * The HTTP API as one server: health, metrics, OpenAPI, pipelines, DLQ, jobs and audit routes
 * over the services they are given, behind one guard (api key, strictness). It also starts what
 * the DLQ API keeps in Redis beside the entries: the index backfill, and the jobs it accepts.
 */
import type { Config } from "../../config/config.ts";
import type { Logger } from "../../observability/logger.ts";
import type { PrometheusMetrics } from "../../observability/metrics.ts";
import { createAuditLog } from "../../state/audit-log.ts";
import { backfillDlqIndex } from "../../state/dlq-backfill.ts";
import type { DlqEntries } from "../../state/dlq-entries.ts";
import { createDlqIndex } from "../../state/dlq-index.ts";
import { createDlqSearch } from "../../state/dlq-search.ts";
import type { KeyScheme } from "../../state/keys.ts";
import type { Redis } from "../../state/redis.ts";
import { createReplayJobs } from "../../state/replay-jobs.ts";
import { VERSION } from "../cli/version.ts";
import { createConsoleRoutes } from "../console/routes.ts";
import type { DlqService } from "../dlq-service.ts";
import { apiKeyCheck } from "./api-key.ts";
import { createHttpApp, MAX_BODY_BYTES } from "./app.ts";
import { createAuditRoutes } from "./audit-routes.ts";
import { createAuditTrail } from "./audit-trail.ts";
import { createAuditedDlq } from "./audited-dlq.ts";
import { createBulkReplay } from "./bulk-replay.ts";
import { refreshDlqMetrics } from "./dlq-metrics.ts";
import { createDlqRoutes } from "./dlq-routes.ts";
import { createGuard } from "./guard.ts";
import type { HealthReport } from "./health.ts";
import { createHealthRoutes, type Ownership } from "./health-routes.ts";
import { backfillAtStart } from "./index-backfill.ts";
import { createJobRoutes } from "./job-routes.ts";
import { listenError } from "./listen-error.ts";
import { createMetricsRoutes } from "./metrics-routes.ts";
import { openApiDocument } from "./openapi.ts";
import { createOpenApiRoutes } from "./openapi-routes.ts";
import type { PipelineEntry } from "./pipeline-catalog.ts";
import { createPipelineRoutes, type RunningPipeline } from "./pipeline-routes.ts";
import type { PipelineStates } from "./pipeline-states.ts";
import { ROUTES } from "./route-table.ts";

export interface HttpServerParams {
  config: Config;
  log: Logger;
  metrics: PrometheusMetrics;
  redis: Redis;
  keys: KeyScheme;
  entries: DlqEntries;
  dlq: DlqService;
  /** Every pipeline whose DLQ entries the API addresses, running here or not. */
  catalog: readonly PipelineEntry[];
  /** The pipelines running here. */
  running: readonly RunningPipeline[];
  health: () => Promise<HealthReport>;
  ownership: Ownership;
  states: PipelineStates;
  /** Sets gauges that are read, not counted, just before a scrape. */
  beforeScrape: () => void;
}

/** Starts listening (a taken address is a ListenError), then the index backfill. */
export function startHttpServer(params: HttpServerParams): { port: number | undefined; stop(): Promise<unknown> } {
  const { config, log, redis, keys } = params;
  const { http, bulk, index, prefixes } = assembleHttpApi(params);
  if (!config.http.dlqAuth) log.warn("HOBOM_DLQ_AUTH=off: the API routes accept requests without an api key");
  else if (config.http.internalApiKey === undefined && config.http.internalApiKeys.length === 0) {
    log.warn("neither HOBOM_INTERNAL_API_KEY nor HOBOM_INTERNAL_API_KEYS is set: the API routes answer 401");
  }
  let server: ReturnType<typeof http.listen>;
  try {
    server = http.listen({ hostname: config.http.hostname, port: config.http.port, maxRequestBodySize: MAX_BODY_BYTES });
  } catch (error) {
    throw listenError(error, config.http) ?? error;
  }
  const stopping = new AbortController();
  const backfilled = backfillAtStart({
    run: () => backfillDlqIndex({ redis, keys, index, prefixes }),
    log: log.child({ component: "dlq" }),
    signal: stopping.signal,
  });
  return {
    port: server.server?.port,
    stop: async () => {
      stopping.abort();
      await Promise.allSettled([bulk.close(), backfilled]);
      return server.stop(true);
    },
  };
}

/** Every route over its services, behind the guard; nothing listens or runs yet. */
export function assembleHttpApi(params: HttpServerParams) {
  const { config, log, metrics, redis, keys, catalog } = params;
  const { namespace } = keys;
  const dlqLog = log.child({ component: "dlq" });
  const index = createDlqIndex({ redis, keys });
  const search = createDlqSearch({ redis, keys, index });
  const auditStore = createAuditLog({ redis, keys });
  const jobs = createReplayJobs({ redis, keys });
  const audit = createAuditTrail({ log: log.child({ component: "audit" }), store: auditStore });
  const guard = createGuard({
    routes: ROUTES,
    checkApiKey: apiKeyCheck({ single: config.http.internalApiKey, named: config.http.internalApiKeys, enabled: config.http.dlqAuth }),
    onRefused: audit.refused,
  });
  const sinkOf = (key: string) => catalog.find((entry) => entry.dlqPrefix === keys.dlqPrefixOf(key))?.sink;
  const bulk = createBulkReplay({
    jobs,
    dlq: params.dlq,
    sinkOf,
    audit,
    log: dlqLog,
    instanceId: config.relay.instanceId,
    onRunning: (count) => metrics.replayJobsRunning.set(count),
  });
  const prefixes = catalog.map((entry) => entry.dlqPrefix);
  const actorOf = guard.actorOf;
  const http = createHttpApp({
    log,
    guard,
    routes: [
      createHealthRoutes({ check: params.health, instanceId: config.relay.instanceId, ownership: params.ownership }),
      createMetricsRoutes({
        registry: metrics.registry,
        beforeScrape: async () => {
          params.beforeScrape();
          await refreshDlqMetrics({ index, namespace, prefixes, metrics });
        },
      }),
      createOpenApiRoutes({ document: openApiDocument({ version: VERSION, routes: ROUTES }) }),
      createPipelineRoutes({
        instanceId: config.relay.instanceId,
        namespace,
        running: params.running,
        catalog,
        ownership: params.ownership,
        states: params.states,
        dlqStats: (prefix) => index.stats(prefix, Date.now(), Date.now()),
      }),
      createDlqRoutes({ entries: params.entries, dlq: createAuditedDlq({ dlq: params.dlq, audit, namespace, catalog }), search, namespace, catalog, actorOf }),
      createJobRoutes({ search, jobs, bulk, audit, namespace, catalog, actorOf }),
      createAuditRoutes({ store: auditStore }),
      createConsoleRoutes(),
    ],
  });
  return { http, bulk, index, prefixes };
}
