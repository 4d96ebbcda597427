/**
 * What every request passes before any route runs (and before any body is parsed): the api key
 * for the routes that need one, then strictness — a query parameter the route does not declare,
 * or a body (none of the routes takes one), is a 400 naming what is accepted. A request that is
 * not fully understood changes nothing. Paths no route serves are left to the router (404, 405).
 */
import { type Actor, ANONYMOUS, type ApiKeyCheck } from "./api-key.ts";
import { invalidBody, invalidQuery, unauthorized } from "./dlq-errors.ts";
import { type RouteSpec, routeName } from "./route-table.ts";

export interface Guard {
  /** Throws a 401 or 400 DlqError for a request its route refuses. */
  check(request: Request): Promise<void>;
  /** Who made a request the guard let in (`anonymous` for one it did not see). */
  actorOf(request: Request): Actor;
}

export function createGuard(params: {
  routes: readonly RouteSpec[];
  checkApiKey: ApiKeyCheck;
  /** Told of every refused api key (the audit trail). */
  onRefused: (refusal: { actor: Actor; detail: string; route: string }) => void;
}): Guard {
  const actors = new WeakMap<Request, Actor>();
  const find = routeFinder(params.routes);
  return {
    async check(request) {
      const url = new URL(request.url);
      const route = find(request.method === "HEAD" ? "GET" : request.method, url.pathname);
      if (!route) return;
      if (route.auth) {
        const verdict = params.checkApiKey(request.headers.get("x-api-key") ?? undefined);
        if (!verdict.ok) {
          params.onRefused({ actor: verdict.actor, detail: verdict.detail, route: routeName(route) });
          throw unauthorized(verdict.detail);
        }
        actors.set(request, verdict.actor);
      }
      for (const name of new Set(url.searchParams.keys())) {
        if (!Object.hasOwn(route.query, name)) throw invalidQuery(unknownParameter(route, name));
      }
      if (await hasBody(request)) throw invalidBody(`${routeName(route)} takes no body; ${optionsOf(route)}`);
    },
    actorOf: (request) => actors.get(request) ?? ANONYMOUS,
  };
}

function unknownParameter(route: RouteSpec, name: string): string {
  const accepted = Object.keys(route.query);
  if (accepted.length === 0) return `unknown parameter "${name}"; ${routeName(route)} takes no query parameters`;
  const meant = accepted.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return `unknown parameter "${name}"${meant ? ` (did you mean "${meant}"? names are case-sensitive)` : ""}; ${routeName(route)} accepts: ${accepted.join(", ")}`;
}

function optionsOf(route: RouteSpec): string {
  const accepted = Object.keys(route.query);
  return accepted.length === 0 ? "it takes no query parameters either" : `its options are query parameters: ${accepted.join(", ")}`;
}

/** A body of any length, or a content type on a method that never carries one. */
async function hasBody(request: Request): Promise<boolean> {
  if ((request.method === "GET" || request.method === "DELETE" || request.method === "HEAD") && request.headers.has("content-type")) return true;
  const length = request.headers.get("content-length");
  if (length !== null) return Number(length) !== 0;
  if (request.body === null) return false;
  // Chunked, or a length not told: only reading it says whether it is empty (it is at most MAX_BODY_BYTES).
  return (await request.clone().arrayBuffer()).byteLength > 0;
}

/** The route of a method and path; a route without parameters wins over one whose `:param` also matches. */
function routeFinder(routes: readonly RouteSpec[]): (method: string, path: string) => RouteSpec | undefined {
  const patterns = routes
    .map((route) => ({ route, params: route.path.split("/").filter((part) => part.startsWith(":")).length, pattern: pathPattern(route.path) }))
    .sort((a, b) => a.params - b.params);
  return (method, path) => patterns.find((entry) => entry.route.method === method && entry.pattern.test(path))?.route;
}

/** A route path as a regular expression over request paths (`:param` matches one segment). */
export function pathPattern(path: string): RegExp {
  const parts = path.split("/").map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return new RegExp(`^${parts.join("/")}/?$`);
}
