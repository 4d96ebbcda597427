/**
 * The command line as an operator runs it: `bun src/main.ts <args>` in a child process with only
 * the environment given (and PATH), from a folder of the test's choosing; or inside a terminal
 * (util-linux `script` gives it a pseudo-terminal) to answer its questions.
 */
import { resolve } from "node:path";

export const MAIN = resolve(import.meta.dir, "../../../src/main.ts");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  const child = Bun.spawn([process.execPath, MAIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  try {
    const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether util-linux `script` is there to give a command a terminal. */
export const HAS_SCRIPT = Bun.which("script") !== null;

/**
 * Runs the command on a pseudo-terminal with `typed` as what the operator types; resolves with
 * its exit code and everything the terminal showed (stdout and stderr together, and the echo).
 */
export async function runCliInTerminal(args: readonly string[], typed: string, env: Record<string, string>): Promise<{ code: number; screen: string }> {
  const quoted = [process.execPath, MAIN, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(" ");
  const child = Bun.spawn(["script", "--quiet", "--return", "--command", quoted, "/dev/null"], {
    env: { PATH: process.env.PATH ?? "", TERM: "dumb", ...env },
    stdin: new Blob([typed]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    const [code, screen] = await Promise.all([child.exited, new Response(child.stdout).text()]);
    return { code, screen: screen.replace(/\r\n/g, "\n") };
  } finally {
    clearTimeout(timer);
  }
}
