/** Runs one of bench/children/*.ts in its own Bun process and returns the report it printed. */
import { resolve } from "node:path";
import type { ChildReport } from "./children/child-report.ts";

export async function runChild(script: string, env: Record<string, string>, timeoutMs = 600_000): Promise<ChildReport> {
  const child = Bun.spawn([process.execPath, resolve(import.meta.dir, "children", script)], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  const last = out.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !last.startsWith("{")) throw new Error(`bench child ${script} failed (exit ${code}):\n${out}\n${err}`);
  return JSON.parse(last) as ChildReport;
}
