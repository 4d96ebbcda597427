/**
 * Process, port and clean-up helpers shared by every server the test bed runs (Kafka nodes,
 * redis-server): a leaked server keeps its ports and, for a JVM, ~400 MB, so children are tied to
 * the test process and state files are checked against the live process table.
 */

import { existsSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Subprocess } from "bun";

/** The git-ignored directory all testbed processes share: jar cache, data, logs, state files, locks. */
export const TESTBED_DIR = realTestbedDir(resolve(import.meta.dir, "../../.testbed"));

/**
 * The test bed's directory with symlinks resolved: a checkout whose .testbed links to another's
 * (a git worktree) must name the shared servers' files as the other does, or each would take the
 * other's brokers for dead and start its own.
 */
function realTestbedDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

const STOP_TIMEOUT_MS = 30_000;

/** Ports that were free a moment ago (held together while asking, so they differ). */
export function freePorts(count: number): number[] {
  const listeners = Array.from({ length: count }, () => Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }));
  const ports = listeners.map((listener) => listener.port);
  for (const listener of listeners) listener.stop(true);
  return ports;
}

/** Whether something accepts TCP connections at host:port within timeoutMs. */
export async function canConnect(hostname: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  const attempt = Bun.connect({ hostname, port, socket: { data() {} } }).then(
    (socket) => {
      socket.end();
      return true;
    },
    () => false,
  );
  return withTimeout(attempt, timeoutMs, () => false);
}

/** "127.0.0.1:9092" → ["127.0.0.1", 9092]. */
export function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

/**
 * Whether pid is a live process; with commandIncludes, also whether its command line contains
 * that text, so that a recycled pid in a stale state file is never mistaken for ours.
 */
export function processAlive(pid: number, commandIncludes?: string): boolean {
  // kill(0, 0) would signal our own process group; garbage from a state file is not a process.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (!existsSync("/proc/self")) return true;
  try {
    // An exited but unreaped process (a zombie) still answers kill(pid, 0).
    if (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z")) return false;
    return !commandIncludes || readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(commandIncludes);
  } catch {
    return false;
  }
}

/**
 * SIGTERM, then SIGKILL if the process is still there after graceMs (default 30 s). `exited` is
 * the Subprocess's promise when we are the parent; otherwise we poll the pid.
 */
export async function terminate(pid: number, exited?: Promise<unknown>, graceMs = STOP_TIMEOUT_MS): Promise<void> {
  const gone = (exited ?? pollUntilGone(pid)).then(() => true);
  signal(pid, "SIGTERM");
  if (!(await withTimeout(gone, graceMs, () => false))) {
    signal(pid, "SIGKILL");
    await gone;
  }
}

/** Sends a signal to pid, ignoring a process that is already gone. */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Settles like `promise`, or with onTimeout() after ms; unlike racing Bun.sleep, no timer keeps the process alive. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function pollUntilGone(pid: number): Promise<void> {
  while (processAlive(pid)) await Bun.sleep(100);
}

const childrenToKill = new Set<Subprocess>();
const dirsToRemove = new Set<string>();
process.on("exit", releaseChildren);

/**
 * Kills every child killOnExit() registered and removes every removeOnExit() directory, now.
 * Runs on process exit; bun test (1.4.5) runs no "exit" handlers, so the test preload calls it
 * from a global afterAll.
 */
export function releaseChildren(): void {
  // Kill first: a JVM still writing into a directory would make removing it fail.
  for (const child of childrenToKill) child.kill("SIGKILL");
  childrenToKill.clear();
  for (const dir of dirsToRemove) {
    try {
      // A killed JVM may still be writing for a moment (ENOTEMPTY): retry a few times.
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch {
      // Still busy; a later run's reaper removes the rest.
    }
  }
  dirsToRemove.clear();
}

/**
 * Ties a child to this process: it no longer keeps the event loop alive, and it is killed when
 * this process exits (a leaked broker would keep its ports and hundreds of MB). Spawn it with
 * diesWithParent() too, for deaths that run no handler at all.
 */
export function killOnExit(proc: Subprocess): void {
  childrenToKill.add(proc);
  proc.unref();
  void proc.exited.then(() => childrenToKill.delete(proc));
}

const SETPRIV = Bun.which("setpriv");

/**
 * `command` run through `setpriv --pdeathsig SIGKILL` (util-linux) where that exists: the kernel
 * kills the child when this process dies however it dies (SIGKILL, a crash, Ctrl-C), which no
 * handler can promise. The signal follows the spawning thread: spawn from the main thread.
 */
export function diesWithParent(command: readonly string[]): string[] {
  return SETPRIV ? [SETPRIV, "--pdeathsig", "SIGKILL", ...command] : [...command];
}

/** Removes dir when releaseChildren() runs (at exit, after the children are killed); `cancel` undoes it. */
export function removeOnExit(dir: string): { cancel(): void } {
  dirsToRemove.add(dir);
  return { cancel: () => void dirsToRemove.delete(dir) };
}

/**
 * An Error saying what failed, naming the server's log file and showing its last 40 lines: a
 * JVM that fails to start says why only there.
 */
export function errorWithLog(message: string, logFile: string): Error {
  let tail: string;
  try {
    tail = readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-40).join("\n");
  } catch (error) {
    tail = `(cannot read it: ${error})`;
  }
  return new Error(`${message}\nLog file: ${logFile}\n--- last 40 lines ---\n${tail}`);
}

/** A short random string for names that must not collide between processes. */
export function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** Seconds since `since` (a Date.now() value), for progress lines: "12.3 s". */
export function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** A progress line on stderr, prefixed "testbed:", for slow first-run steps. */
export function progress(message: string): void {
  process.stderr.write(`testbed: ${message}\n`);
}
