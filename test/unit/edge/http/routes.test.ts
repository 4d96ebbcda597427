import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../../src/config/load-config.ts";
import type { DlqService } from "../../../../src/edge/dlq-service.ts";
import { openApiDocument } from "../../../../src/edge/http/openapi.ts";
import { pipelineCatalog } from "../../../../src/edge/http/pipeline-catalog.ts";
import { createPipelineHealth } from "../../../../src/edge/http/pipeline-health.ts";
import { trackPipelineStates } from "../../../../src/edge/http/pipeline-states.ts";
import { API_BASE, ROUTES } from "../../../../src/edge/http/route-table.ts";
import { assembleHttpApi } from "../../../../src/edge/http/server.ts";
import { PIPELINES } from "../../../../src/hobom/pipelines.ts";
import { silentLogger } from "../../../../src/observability/logger.ts";
import { createMetrics } from "../../../../src/observability/metrics.ts";
import { createDlqEntries } from "../../../../src/state/dlq-entries.ts";
import { RedisError } from "../../../../src/state/errors.ts";
import { keyScheme } from "../../../../src/state/keys.ts";
import type { Redis } from "../../../../src/state/redis.ts";

/** Routes are only registered here, never called: a Redis that is never reached is enough. */
const unreachable: Redis = {
  send: async () => {
    throw new RedisError("not reachable in this test");
  },
  script: async () => {
    throw new RedisError("not reachable in this test");
  },
  close: () => {},
};

function app() {
  const loaded = loadConfig({ env: { HOBOM_GRPC_ADDR: "localhost:50051", HOBOM_GRPC_API_KEY: "k", HOBOM_INTERNAL_API_KEY: "s3cret" } });
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const keys = keyScheme("");
  const dlq: DlqService = {
    get: async () => Promise.reject(new Error("unused")),
    remove: async () => {},
    retry: async () => Promise.reject(new Error("unused")),
  };
  return assembleHttpApi({
    config: loaded.config,
    log: silentLogger,
    metrics: createMetrics(),
    redis: unreachable,
    keys,
    entries: createDlqEntries({ redis: unreachable, keys }),
    dlq,
    catalog: pipelineCatalog(PIPELINES, []),
    running: [],
    health: async () => ({ status: "healthy", components: {} }),
    ownership: () => ({}),
    states: trackPipelineStates(createPipelineHealth()),
    beforeScrape: () => {},
  }).http;
}

describe("the route table", () => {
  test("is every route the server has under the base path, and the server has every route it documents", () => {
    const served = app().routes.map((route) => `${route.method} ${route.path}`);
    const documented = ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(served.filter((route) => route.includes(API_BASE)).sort()).toEqual(documented.filter((route) => route.includes(API_BASE)).sort());
    expect(documented.filter((route) => !served.includes(route))).toEqual([]);
  });

  test("gives every route a 400 (strictness), and every route that needs the key a 401", () => {
    for (const route of ROUTES) {
      expect({ route: route.path, method: route.method, has400: 400 in route.responses }).toEqual({ route: route.path, method: route.method, has400: true });
      if (route.auth) expect({ route: route.path, has401: 401 in route.responses }).toEqual({ route: route.path, has401: true });
    }
  });

  test("is what the OpenAPI document describes, every parameter of every route included", () => {
    const document = openApiDocument({ version: "test", routes: ROUTES }) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    for (const route of ROUTES) {
      const operation = document.paths[route.path.replace(/:([A-Za-z]+)/g, "{$1}")]?.[route.method.toLowerCase()];
      expect(operation).toBeDefined();
      const names = (operation?.parameters ?? []).filter((parameter) => parameter.in === "query").map((parameter) => parameter.name);
      expect(names).toEqual(Object.keys(route.query));
    }
  });
});
