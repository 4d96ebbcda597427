/**
 * Servers the test bed starts detached and later test runs reuse (the shared Kafka broker, the
 * shared Kafka cluster, the shared Redis): what runs is recorded in .testbed/<name>.json, and
 * starting one happens under .testbed/<name>.lock so that concurrent test processes start it once.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processAlive, TESTBED_DIR } from "./processes.ts";

/** How to check, start and stop one kind of shared server; S is what its state file records. */
export interface SharedServer<S> {
  /** Names the state file .testbed/<name>.json and the lock .testbed/<name>.lock. */
  readonly name: string;
  /** Whether the recorded server is the one to reuse: alive, the wanted version, answering. */
  healthy(state: S): Promise<boolean>;
  /** Stops a recorded server, healthy or not, so that a new one can take its directory. */
  stop(state: S): Promise<void>;
  /** Starts a new detached server and returns what to record about it. */
  start(): Promise<S>;
}

/**
 * The recorded server if it is healthy (fast: no lock), otherwise, under the lock, one that a
 * concurrent process started meanwhile or a new one (after stopping a recorded unhealthy one).
 */
export async function reuseOrStart<S>(server: SharedServer<S>): Promise<S> {
  const recorded = readSharedState<S>(server.name);
  if (recorded && (await server.healthy(recorded))) return recorded;
  return withLock(server.name, async () => {
    const startedMeanwhile = readSharedState<S>(server.name);
    if (startedMeanwhile && (await server.healthy(startedMeanwhile))) return startedMeanwhile;
    // A leftover server that no longer answers (or runs another version) would hold the directory.
    await stopShared(server);
    const state = await server.start();
    writeFileSync(stateFile(server.name), `${JSON.stringify(state, null, 2)}\n`);
    return state;
  });
}

/** Stops the recorded server, if any, and forgets it; returns what was recorded, or null. */
export async function stopShared<S>(server: SharedServer<S>): Promise<S | null> {
  const state = readSharedState<S>(server.name);
  if (!state) return null;
  await server.stop(state);
  rmSync(stateFile(server.name), { force: true });
  return state;
}

/** What .testbed/<name>.json records, or null when there is no readable state file. */
export function readSharedState<S>(name: string): S | null {
  try {
    return JSON.parse(readFileSync(stateFile(name), "utf8")) as S;
  } catch {
    return null;
  }
}

function stateFile(name: string): string {
  return join(TESTBED_DIR, `${name}.json`);
}

/**
 * Runs fn while holding .testbed/<name>.lock, so that concurrent test processes do not both start
 * a shared server. A lock whose owner died is taken over. Not reentrant.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(TESTBED_DIR, `${name}.lock`);
  mkdirSync(TESTBED_DIR, { recursive: true });
  // Long enough for a holder that is fetching jars with Maven and then starting a cluster.
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (lockIsStale(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}; remove it if no test run is active`);
    await Bun.sleep(200);
  }
  try {
    writeFileSync(join(lock, "pid"), String(process.pid));
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockIsStale(lock: string): boolean {
  try {
    return !processAlive(Number(readFileSync(join(lock, "pid"), "utf8")));
  } catch {
    // No pid yet: the owner is between mkdir and writing it, or died right there.
    try {
      return Date.now() - statSync(lock).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
}
