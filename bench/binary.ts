/** The executable operators deploy, built by `npm run build` into dist/ (benchmarks run it as shipped). */
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");

/** Where `npm run build` writes the binary. */
export const BINARY = resolve(ROOT, "dist/hobom-event-processor");

/** Runs `npm run build` and returns the binary's path; throws when the build fails. */
export function buildBinary(): string {
  // The build script runs `bun`: this one, which the npm package installs as `bun.exe`, so it is
  // put on the PATH under the name the script calls.
  const bin = mkdtempSync(join(tmpdir(), "bench-bun-"));
  symlinkSync(process.execPath, join(bin, "bun"));
  try {
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` };
    const build = Bun.spawnSync(["npm", "run", "--silent", "build"], { cwd: ROOT, env, stdout: "ignore", stderr: "inherit" });
    if (build.exitCode !== 0) throw new Error("npm run build failed");
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
  return BINARY;
}
