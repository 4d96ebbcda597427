import { describe, expect, test } from "bun:test";
import { apiKeyCheck } from "../../../../src/edge/http/api-key.ts";
import type { DlqError } from "../../../../src/edge/http/dlq-errors.ts";
import { createGuard } from "../../../../src/edge/http/guard.ts";
import { flag } from "../../../../src/edge/http/query-params.ts";
import type { RouteSpec } from "../../../../src/edge/http/route-table.ts";

const ROUTES: RouteSpec[] = [
  { method: "GET", path: "/open", summary: "", auth: false, query: {}, responses: {} },
  { method: "POST", path: "/api/retry", summary: "", auth: true, query: { dryRun: flag("", false) }, responses: {} },
  { method: "GET", path: "/api/items/:key", summary: "", auth: true, query: {}, responses: {} },
  { method: "GET", path: "/api/items/special", summary: "", auth: true, query: { limit: flag("", false) }, responses: {} },
];

function setup() {
  const refusals: unknown[] = [];
  const guard = createGuard({
    routes: ROUTES,
    checkApiKey: apiKeyCheck({ named: [{ name: "alice", key: "k1" }], enabled: true }),
    onRefused: (refusal) => refusals.push(refusal),
  });
  const check = async (method: string, path: string, init: { headers?: Record<string, string>; body?: string | ReadableStream } = {}) => {
    const request = new Request(`http://localhost${path}`, { method, headers: init.headers, body: init.body });
    try {
      await guard.check(request);
      return { ok: true as const, actor: guard.actorOf(request) };
    } catch (error) {
      const failure = error as DlqError;
      return { ok: false as const, status: failure.httpStatus, error: failure.code, detail: failure.detail };
    }
  };
  return { check, refusals };
}

describe("createGuard", () => {
  test("lets a request its route fully understands through, with the key's holder as its actor", async () => {
    const { check } = setup();
    expect(await check("POST", "/api/retry?dryRun=true", { headers: { "x-api-key": "k1" } })).toEqual({ ok: true, actor: "alice" });
    expect(await check("GET", "/open")).toEqual({ ok: true, actor: "anonymous" });
  });

  test("refuses a missing or wrong key first, whatever else is wrong, and reports the refusal", async () => {
    const { check, refusals } = setup();
    expect(await check("POST", "/api/retry?bogus=1", { headers: { "x-api-key": "nope" } })).toMatchObject({ ok: false, status: 401, error: "unauthorized" });
    expect(await check("GET", "/api/items/x")).toMatchObject({ ok: false, status: 401 });
    expect(refusals).toEqual([
      { actor: expect.stringMatching(/^key:[0-9a-f]{12}$/), detail: "missing or wrong x-api-key", route: "POST /api/retry" },
      { actor: "anonymous", detail: "missing or wrong x-api-key", route: "GET /api/items/:key" },
    ]);
  });

  test("refuses an unknown parameter, naming what the route accepts and the name meant when only its case differs", async () => {
    const { check } = setup();
    const key = { headers: { "x-api-key": "k1" } };
    expect(await check("POST", "/api/retry?dryrun=true", key)).toEqual({
      ok: false,
      status: 400,
      error: "invalid query",
      detail: 'unknown parameter "dryrun" (did you mean "dryRun"? names are case-sensitive); POST /api/retry accepts: dryRun',
    });
    expect(await check("GET", "/open?x=1")).toMatchObject({ detail: 'unknown parameter "x"; GET /open takes no query parameters' });
    // The static route wins over the one whose :key also matches.
    expect(await check("GET", "/api/items/special?limit=true", key)).toMatchObject({ ok: true });
    expect(await check("GET", "/api/items/other?limit=true", key)).toMatchObject({ ok: false, error: "invalid query" });
  });

  test("refuses any body, a chunked one included, and a content type on GET and DELETE", async () => {
    const { check } = setup();
    const headers = { "x-api-key": "k1" };
    expect(await check("POST", "/api/retry", { headers, body: "{}" })).toEqual({
      ok: false,
      status: 400,
      error: "invalid body",
      detail: "POST /api/retry takes no body; its options are query parameters: dryRun",
    });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("x"));
        controller.close();
      },
    });
    expect(await check("POST", "/api/retry", { headers: { ...headers, "transfer-encoding": "chunked" }, body: stream })).toMatchObject({
      error: "invalid body",
    });
    expect(await check("GET", "/open", { headers: { "content-type": "application/json" } })).toMatchObject({ error: "invalid body" });
    expect(await check("POST", "/api/retry", { headers: { ...headers, "content-length": "0" } })).toMatchObject({ ok: true });
  });

  test("checks HEAD as the GET of its path, and leaves paths no route serves to the router", async () => {
    const { check } = setup();
    expect(await check("HEAD", "/api/items/x")).toMatchObject({ ok: false, status: 401 });
    expect(await check("GET", "/nowhere?x=1")).toEqual({ ok: true, actor: "anonymous" });
    expect(await check("PUT", "/api/retry?x=1")).toEqual({ ok: true, actor: "anonymous" });
  });
});
