/**
 * The checks of a whole run besides the tests: Biome (format and lint, one config: biome.json)
 * and the TypeScript compiler (strict, no emit). Each counts as one test in the run's summary.
 */
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");

const CHECKS = [
  { name: "biome ci (format and lint)", command: ["node_modules/@biomejs/biome/bin/biome", "ci", "--colors=off", "."], fix: "npm run format" },
  { name: "tsc --noEmit (strict)", command: ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."], fix: "npm run typecheck" },
] as const;

/** Runs every check; prints each verdict, and the output of those that fail. */
export async function runStaticChecks(): Promise<{ passed: number; failed: number }> {
  let failed = 0;
  for (const check of CHECKS) {
    const started = performance.now();
    const child = Bun.spawn([process.execPath, ...check.command], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    const took = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    if (code === 0) {
      console.log(`(pass) ${check.name} [${took}]`);
      continue;
    }
    failed++;
    console.log(`${out}${err}`.trimEnd());
    console.log(`(fail) ${check.name} [${took}]: see above; \`${check.fix}\` fixes or shows it`);
  }
  return { passed: CHECKS.length - failed, failed };
}
