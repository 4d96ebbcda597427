/** The executable operators deploy, built by `npm run build` into dist/ (benchmarks run it as shipped). */
import { dirname, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");

/** Where `npm run build` writes the binary. */
export const BINARY = resolve(ROOT, "dist/hobom-event-processor");

/** Runs `npm run build` and returns the binary's path; throws when the build fails. */
export function buildBinary(): string {
  // The build script runs `bun`: this one, wherever it was installed.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` };
  const build = Bun.spawnSync(["npm", "run", "--silent", "build"], { cwd: ROOT, env, stdout: "ignore", stderr: "inherit" });
  if (build.exitCode !== 0) throw new Error("npm run build failed");
  return BINARY;
}
