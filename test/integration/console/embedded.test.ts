/**
 * The console travels inside the executable: its routes compiled with `bun build --compile`
 * (the flags of the release build), copied alone to an empty folder and run, serve the page,
 * stylesheet and every script byte for byte as they are in src/edge/console/page, each with the
 * console's security headers and an ETag that a browser revalidates against.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { CONSOLE_ASSETS } from "../../../src/edge/console/assets.ts";

const ENTRY = resolve(import.meta.dir, "fixtures/serve-console.ts");
const PAGE_DIR = resolve(import.meta.dir, "../../../src/edge/console/page");

let buildDir: string;
let runDir: string;
let child: Subprocess<"ignore", "pipe", "pipe">;
let base: string;

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), "hobom-console-build-"));
  runDir = mkdtempSync(join(tmpdir(), "hobom-console-run-"));
  const build = Bun.spawnSync([process.execPath, "build", "--compile", "--minify", "--sourcemap=none", ENTRY, "--outfile", join(buildDir, "console")], {
    stderr: "pipe",
  });
  if (build.exitCode !== 0) throw new Error(`bun build --compile failed:\n${build.stderr.toString()}`);
  copyFileSync(join(buildDir, "console"), join(runDir, "console"));
  chmodSync(join(runDir, "console"), 0o755);
  child = Bun.spawn([join(runDir, "console")], { cwd: runDir, env: { PATH: "/usr/bin:/bin" }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  const { port } = JSON.parse(new TextDecoder().decode(value)) as { port: number };
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await child?.exited;
  for (const dir of [buildDir, runDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The file each served path comes from. */
function sourceOf(path: string): string {
  const name = path === "/console" ? "index.htm" : path.slice("/console/".length);
  return readFileSync(join(PAGE_DIR, name), "utf8");
}

test("the executable sits alone in an empty folder", () => {
  expect(readdirSync(runDir)).toEqual(["console"]);
});

test("every file of the console's folder is served, and nothing else", () => {
  const served = CONSOLE_ASSETS.map((asset) => (asset.path === "/console" ? "index.htm" : asset.path.slice("/console/".length))).sort();
  expect(served).toEqual(readdirSync(PAGE_DIR).sort());
});

describe.each(CONSOLE_ASSETS.map((asset) => [asset.path, asset.contentType] as const))("%s", (path, contentType) => {
  test("is served byte for byte with its type, the security headers and an ETag", async () => {
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(sourceOf(path));
    expect(response.headers.get("content-type")).toBe(contentType);
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-cache");

    const etag = response.headers.get("etag") as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const again = await fetch(`${base}${path}`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const stale = await fetch(`${base}${path}`, { headers: { "if-none-match": '"an-older-console"' } });
    expect(stale.status).toBe(200);
  });
});

test("the page has no inline script or style and loads only its own files, by relative URLs", () => {
  const page = sourceOf("/console");
  expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  expect([...page.matchAll(/(?:src|href)="([^"#]+)"/g)].map((match) => match[1]).sort()).toEqual(["console/app.css", "console/app.js"]);
});

test("the scripts never parse text as HTML", () => {
  for (const asset of CONSOLE_ASSETS.filter((each) => each.path.endsWith(".js"))) {
    expect({ path: asset.path, unsafe: asset.body.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/g) }).toEqual({
      path: asset.path,
      unsafe: null,
    });
  }
});

test("/console/ redirects to /console, where the page's relative URLs resolve", async () => {
  const response = await fetch(`${base}/console/`, { redirect: "manual" });
  expect(response.status).toBe(308);
  expect(response.headers.get("location")).toBe("../console");
  expect(new URL(response.headers.get("location") as string, `${base}/console/`).pathname).toBe("/console");
});
