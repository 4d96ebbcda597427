/**
 * The OpenAPI 3.1 description of the HTTP API, written from the route table (route-table.ts) and
 * the answers' schemas: a pure function, so the document is exactly the routes the server has.
 */
import { SCHEMAS } from "./openapi-schemas.ts";
import { API_BASE, type RouteSpec } from "./route-table.ts";

export function openApiDocument(params: { version: string; routes: readonly RouteSpec[] }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of params.routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, "{$1}");
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "hobom-event-processor",
      version: params.version,
      description:
        "Health, metrics and the DLQ of the HoBom event relay. Every route refuses query parameters it does not list and any body (400). Routes with security need x-api-key.",
    },
    paths,
    components: { schemas: SCHEMAS, securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "x-api-key" } } },
  };
}

function operation(route: RouteSpec): Record<string, unknown> {
  const parameters = [
    ...Object.entries(route.pathParams ?? {}).map(([name, description]) => ({ name, in: "path", required: true, description, schema: { type: "string" } })),
    ...Object.entries(route.query).map(([name, param]) => ({ name, in: "query", required: false, description: param.description, schema: param.schema })),
  ];
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        content: { [response.contentType ?? "application/json"]: { schema: { $ref: `#/components/schemas/${response.schema}` } } },
      },
    ]),
  );
  return {
    operationId: `${route.method.toLowerCase()}${route.path
      .replace(API_BASE, "")
      .split(/[/.:-]/)
      .filter((part) => part !== "")
      .map((part) => part[0]?.toUpperCase() + part.slice(1))
      .join("")}`,
    summary: route.summary,
    ...(route.auth && { security: [{ apiKey: [] }] }),
    ...(parameters.length > 0 && { parameters }),
    responses,
  };
}
