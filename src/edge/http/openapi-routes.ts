/** GET /openapi.json: the API's description; no api key (it holds no data). */
import { Elysia } from "elysia";

export function createOpenApiRoutes(params: { document: Record<string, unknown> }) {
  return new Elysia({ name: "openapi-routes" }).get("/openapi.json", () => params.document);
}
