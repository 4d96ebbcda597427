import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { createHttpApp } from "../../../../src/edge/http/app.ts";
import { DlqError } from "../../../../src/edge/http/dlq-errors.ts";
import { createLogger } from "../../../../src/observability/logger.ts";
import { RedisError } from "../../../../src/state/errors.ts";

function appWith(handler: () => unknown) {
  const lines: string[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(line) });
  const routes = new Elysia().get("/thing/:id", handler).post("/thing/:id", () => ({ ok: true }));
  return { app: createHttpApp({ log, routes: [routes] }), lines };
}

const call = async (app: { handle(request: Request): Promise<Response> }, method: string, path: string) => {
  const response = await app.handle(new Request(`http://localhost${path}`, { method }));
  return { status: response.status, allow: response.headers.get("allow"), body: await response.json() };
};

describe("createHttpApp", () => {
  test("answers a DLQ error with its status, code and detail", async () => {
    const { app } = appWith(() => {
      throw new DlqError(409, "retry in progress", "another retry holds the lock");
    });
    expect(await call(app, "GET", "/thing/1")).toEqual({
      status: 409,
      allow: null,
      body: { error: "retry in progress", detail: "another retry holds the lock" },
    });
  });

  test("answers a Redis failure with 503 and says nothing was changed", async () => {
    const { app } = appWith(() => {
      throw new RedisError("GET failed: connection closed");
    });
    const { status, body } = await call(app, "GET", "/thing/1");
    expect(status).toBe(503);
    expect(body).toEqual({ error: "redis unavailable", detail: "Redis cannot be reached; nothing was changed" });
  });

  test("answers an unexpected error with a bare 500, and logs it instead of sending a stack trace", async () => {
    const { app, lines } = appWith(() => {
      throw new TypeError("secret internals");
    });
    const { status, body } = await call(app, "GET", "/thing/1");
    expect(status).toBe(500);
    expect(body).toEqual({ error: "internal error" });
    expect(lines.join("")).toContain("secret internals");
  });

  test("answers a known path with the wrong method with 405 and the allowed methods", async () => {
    const { app } = appWith(() => ({}));
    expect(await call(app, "DELETE", "/thing/7")).toEqual({ status: 405, allow: "GET, POST", body: { error: "method not allowed", allow: ["GET", "POST"] } });
  });

  test("answers an unknown path with 404 in JSON", async () => {
    const { app } = appWith(() => ({}));
    expect(await call(app, "GET", "/nothing/here")).toEqual({ status: 404, allow: null, body: { error: "not found" } });
  });
});
