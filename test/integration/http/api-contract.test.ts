/**
 * The HTTP API against its own description, over real HTTP: GET /openapi.json (no api key) is
 * read, and every documented path and method is called on the real relay — with a valid request
 * (its status documented, its body holding what its schema requires), an unknown query parameter
 * and a body (400, nothing changed), without the api key where it needs one (401), and with every
 * method the document does not give it (405). Routes the server has beyond the document are
 * checked in test/unit/edge/http/routes.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { type HoBomBackendDouble, startHoBomBackend } from "../../support/backends/index.ts";
import { DLQ_BASE, dlqClient, http, redisSnapshot, writeGoEntry } from "../../support/http-client.ts";
import { inspectRedis, type RedisInspector } from "../../support/redis-inspect.ts";
import { type RelayTestSetup, relayTestSetup, TEST_API_KEY, TEST_INTERNAL_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";

interface Operation {
  readonly path: string;
  readonly method: string;
  readonly secured: boolean;
  readonly statuses: number[];
  readonly schema: string | undefined;
  /** The content type of its success. */
  readonly contentType: string | undefined;
}

let hobom: HoBomBackendDouble;
let privateRedis: RedisInstance;
let setup: RelayTestSetup;
let relay: RelayProcess;
let redis: RedisInspector;
// biome-ignore lint/suspicious/noExplicitAny: the document is walked field by field
let document: any;
let operations: Operation[];
let entryKey: string;
let jobId: string;

beforeAll(async () => {
  [hobom, privateRedis] = await Promise.all([startHoBomBackend({ apiKey: TEST_API_KEY }), startRedisServer()]);
  setup = relayTestSetup({ hobom, redisUrl: privateRedis.url });
  redis = inspectRedis(privateRedis.url, setup.namespace);
  // An entry of a pipeline this relay does not run: every route can address it, a retry leaves it (422).
  entryKey = `${setup.namespace}dlq:space:contract`;
  await writeGoEntry(redis, entryKey, '{"entityType":"PAGE"}');
  relay = await startRelayProcess(setup.env);
  await relay.waitForLog((line) => line.msg === "DLQ index backfilled");
  const job = await dlqClient(relay).bulk({ prefix: `${setup.namespace}dlq:angel:` });
  jobId = job.body.job.id;
  await dlqClient(relay).finishedJob(jobId);
  const answer = await http(relay.httpUrl, "GET", "/openapi.json");
  expect(answer.status).toBe(200);
  document = answer.body;
  operations = Object.entries(
    document.paths as Record<
      string,
      Record<string, { security?: unknown; responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> }>
    >,
  ).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      path,
      method: method.toUpperCase(),
      secured: operation.security !== undefined,
      statuses: Object.keys(operation.responses).map(Number),
      schema: Object.values(success(operation))[0]?.schema.$ref.split("/").pop(),
      contentType: Object.keys(success(operation))[0],
    })),
  );
});

afterAll(async () => {
  redis?.close();
  await killAllRelays();
  hobom?.stop();
  await privateRedis?.kill();
});

/** What the document says a success holds, by content type. */
function success(operation: { responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> }) {
  return operation.responses["200"]?.content ?? operation.responses["202"]?.content ?? {};
}

/** A documented path with its parameters filled in, and a query that makes the request valid. */
function concrete(operation: Operation): string {
  const path = operation.path.replace("{key}", encodeURIComponent(entryKey)).replace("{id}", jobId);
  if (operation.method === "POST" && operation.path.endsWith("/dlq/retry")) return `${path}?prefix=${setup.namespace}dlq:angel:&dryRun=true`;
  return path;
}

const call = (operation: Operation, path: string, options: { apiKey?: string | null; headers?: Record<string, string>; body?: string } = {}) =>
  http(relay.httpUrl, operation.method, path, { apiKey: operation.secured ? TEST_INTERNAL_API_KEY : null, ...options });

describe("GET /openapi.json", () => {
  test("is OpenAPI 3.1 with unique operation ids, every schema it refers to, and the api key scheme", () => {
    expect(document.openapi).toBe("3.1.0");
    const ids = operations.map((operation) => `${operation.method} ${operation.path}`);
    expect(ids.length).toBeGreaterThanOrEqual(16);
    const operationIds = Object.values(document.paths).flatMap((methods) =>
      Object.values(methods as Record<string, { operationId: string }>).map((op) => op.operationId),
    );
    expect(new Set(operationIds).size).toBe(operationIds.length);
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g)].map((match) => match[1] as string);
    for (const name of refs) expect({ name, defined: name in document.components.schemas }).toEqual({ name, defined: true });
    expect(document.components.securitySchemes.apiKey).toEqual({ type: "apiKey", in: "header", name: "x-api-key" });
    expect(ids).toContain("GET /console");
    // Everything under the base path needs the key; nothing outside it does.
    for (const operation of operations)
      expect({ path: operation.path, secured: operation.secured }).toEqual({ path: operation.path, secured: operation.path.startsWith(DLQ_BASE) });
  });
});

describe("every documented route", () => {
  test("refuses an unknown query parameter with 400 naming the route and what it accepts, and changes nothing", async () => {
    const before = await redisSnapshot(redis);
    for (const operation of operations) {
      const path = concrete(operation);
      const answer = await call(operation, `${path}${path.includes("?") ? "&" : "?"}bogus=1`);
      expect({
        route: `${operation.method} ${operation.path}`,
        status: answer.status,
        error: answer.body?.error,
        documented: operation.statuses.includes(400),
      }).toEqual({
        route: `${operation.method} ${operation.path}`,
        status: 400,
        error: "invalid query",
        documented: true,
      });
      expect(answer.body.detail).toStartWith('unknown parameter "bogus"; ');
    }
    expect(await redisSnapshot(redis)).toEqual(before);
  });

  test("refuses a body, and a content type on GET and DELETE, with 400, and changes nothing", async () => {
    const before = await redisSnapshot(redis);
    for (const operation of operations) {
      // fetch sends no body with GET: there, the content type alone is what is refused.
      const withBody =
        operation.method === "GET"
          ? []
          : [await call(operation, concrete(operation), { headers: { "content-type": "application/json" }, body: '{"dryRun":true}' })];
      const typed = operation.method === "POST" ? [] : [await call(operation, concrete(operation), { headers: { "content-type": "text/plain" } })];
      for (const answer of [...withBody, ...typed]) {
        expect({ route: `${operation.method} ${operation.path}`, status: answer.status, error: answer.body?.error }).toEqual({
          route: `${operation.method} ${operation.path}`,
          status: 400,
          error: "invalid body",
        });
        expect(answer.body.detail).toContain("takes no body");
      }
    }
    expect(await redisSnapshot(redis)).toEqual(before);
  });

  test("answers 401 without the api key where it needs one", async () => {
    for (const operation of operations.filter((candidate) => candidate.secured)) {
      const answer = await call(operation, concrete(operation), { apiKey: null });
      expect({ route: `${operation.method} ${operation.path}`, status: answer.status, documented: operation.statuses.includes(401) }).toEqual({
        route: `${operation.method} ${operation.path}`,
        status: 401,
        documented: true,
      });
    }
  });

  test("answers 405 to every method the document does not give its path", async () => {
    const byPath = Map.groupBy(operations, (operation) => operation.path);
    const pattern = (path: string) => new RegExp(`^${path.replace(/\{[a-z]+\}/gi, "[^/]+")}$`);
    for (const [path, documented] of byPath) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        if (documented.some((operation) => operation.method === method)) continue;
        const target = concrete({ ...(documented[0] as Operation), method }).split("?")[0] as string;
        // `DELETE /dlq/entries` is `DELETE /dlq/{key}` with the key "entries" (a 400 invalid key): that route's request, not this path's.
        if (operations.some((operation) => operation.method === method && pattern(operation.path).test(target))) continue;
        const answer = await http(relay.httpUrl, method, target, { apiKey: TEST_INTERNAL_API_KEY });
        expect({ path, method, status: answer.status }).toEqual({ path, method, status: 405 });
      }
    }
  });

  test("answers a valid request with a documented status and a body holding what its schema requires (the changes last)", async () => {
    const changes = (operation: Operation) => (operation.method === "GET" ? 0 : 1);
    for (const operation of [...operations].sort((a, b) => changes(a) - changes(b))) {
      const answer = await call(operation, concrete(operation));
      const route = `${operation.method} ${operation.path}`;
      expect({ route, status: answer.status, documented: operation.statuses.includes(answer.status) }).toEqual({
        route,
        status: answer.status,
        documented: true,
      });
      const schema = document.components.schemas[answer.status >= 400 ? "Error" : (operation.schema as string)];
      const type = answer.status >= 400 ? "application/json" : operation.contentType;
      expect({ route, type: answer.headers.get("content-type")?.split(";")[0] }).toEqual({ route, type });
      if (schema?.type === "object") {
        for (const field of schema.required ?? []) expect({ route, field, present: field in answer.body }).toEqual({ route, field, present: true });
      }
    }
  });

  test("answers 404 where it documents it, for an entry or a job that does not exist", async () => {
    for (const operation of operations.filter((candidate) => candidate.statuses.includes(404))) {
      const path = operation.path.replace("{key}", `${setup.namespace}dlq:menu:missing`).replace("{id}", "j-missing");
      expect({ route: `${operation.method} ${operation.path}`, status: (await call(operation, path)).status }).toEqual({
        route: `${operation.method} ${operation.path}`,
        status: 404,
      });
    }
  });
});
