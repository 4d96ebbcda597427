/**
 * The HTTP application: health, metrics and DLQ routes, and the one place errors become
 * responses. Operators' mistakes get a 4xx with what was wrong; nothing returns a stack trace.
 */
import { type AnyElysia, Elysia } from "elysia";
import type { Logger } from "../../observability/logger.ts";
import { RedisError } from "../../state/errors.ts";
import { DlqError, redisUnavailable } from "./dlq-errors.ts";
import { type Guard, pathPattern } from "./guard.ts";

/** Requests carry no body worth more than this; larger ones are refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/** `guard` checks every request before routing and parsing (api key, strictness). */
export function createHttpApp(params: { routes: readonly AnyElysia[]; log: Logger; guard?: Guard }) {
  let allowed: ((path: string) => string[]) | undefined;
  const app = new Elysia({ name: "hobom-http" }).onError({ as: "global" }, ({ error, code, set, request }) => {
    // Redis refusing a command is a bug of ours, not an outage: it is logged and answered 500 below.
    const failure = error instanceof RedisError && !error.refused ? redisUnavailable(error) : error;
    if (failure instanceof DlqError) {
      set.status = failure.httpStatus;
      return failure.detail ? { error: failure.code, detail: failure.detail } : { error: failure.code };
    }
    if (code === "NOT_FOUND") {
      allowed ??= allowedMethods(app.routes);
      const methods = allowed(new URL(request.url).pathname);
      if (methods.length > 0) {
        set.status = 405;
        set.headers.allow = methods.join(", ");
        return { error: "method not allowed", allow: methods };
      }
      set.status = 404;
      return { error: "not found" };
    }
    if (code === "PARSE" || code === "VALIDATION") {
      set.status = 400;
      return { error: "bad request" };
    }
    params.log.error("HTTP request failed", { method: request.method, path: new URL(request.url).pathname, error });
    set.status = 500;
    return { error: "internal error" };
  });
  const { guard } = params;
  if (guard) app.onRequest(({ request }) => guard.check(request));
  for (const routes of params.routes) app.use(routes);
  return app;
}

/** For a path, the methods some route serves it with (`:param` matches one path segment). */
function allowedMethods(routes: readonly { method: string; path: string }[]): (path: string) => string[] {
  const patterns = routes.map((route) => ({ method: route.method.toUpperCase(), pattern: pathPattern(route.path) }));
  return (path) => [...new Set(patterns.filter((route) => route.pattern.test(path)).map((route) => route.method))].sort();
}
