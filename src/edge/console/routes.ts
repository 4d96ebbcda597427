/**
 * The web console's routes: the page and its files, straight from the executable, with no api
 * key (they hold no data: the page asks for the key and sends it to the API itself). Each answer
 * carries the console's security headers and an ETag, so a browser revalidates instead of
 * downloading again, and picks up a new binary's console at once.
 */
import { createHash } from "node:crypto";
import { Elysia } from "elysia";
import { CONSOLE_ASSETS, CONSOLE_PATH } from "./assets.ts";
import { CONSOLE_SECURITY_HEADERS } from "./security-headers.ts";

/** `GET /console` (the page) and `GET /console/<file>` (its stylesheet and scripts); no api key. */
export function createConsoleRoutes() {
  const app = new Elysia({ name: "console-routes" });
  for (const asset of CONSOLE_ASSETS) {
    const headers = {
      ...CONSOLE_SECURITY_HEADERS,
      "content-type": asset.contentType,
      "cache-control": "no-cache",
      etag: `"${createHash("sha256").update(asset.body).digest("base64url").slice(0, 27)}"`,
    };
    app.get(asset.path, ({ request }) => {
      // The page's links are relative to `/console`; from `/console/` they would miss by a folder.
      // The relative Location keeps any path prefix a reverse proxy adds.
      if (asset.path === CONSOLE_PATH && new URL(request.url).pathname.endsWith("/")) {
        return new Response(null, { status: 308, headers: { ...CONSOLE_SECURITY_HEADERS, location: "../console" } });
      }
      if (matchesEtag(request.headers.get("if-none-match"), headers.etag)) return new Response(null, { status: 304, headers });
      return new Response(asset.body, { headers });
    });
  }
  return app;
}

/** If-None-Match holds one tag, a list of them (weak or strong), or `*`. */
function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed === etag || trimmed === `W/${etag}`;
  });
}
