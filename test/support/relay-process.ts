/**
 * The relay as operators run it: the real entrypoint in a child process, configured by
 * environment, talking to the test bed. Its JSON log lines are collected for assertions and are
 * printed when a test fails (see `dumpOnFailure`).
 */

import { createServer } from "node:net";
import { resolve } from "node:path";
import { type Subprocess, spawn } from "bun";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface RelayProcess {
  readonly pid: number;
  /** `http://127.0.0.1:<port>`, the relay's HTTP API. */
  readonly httpUrl: string;
  readonly logs: LogLine[];
  readonly stderr: () => string;
  /** Resolves with the first log line matching, or rejects after `timeoutMs` with the log so far. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number>;
  /** SIGKILL: no shutdown at all. */
  kill(): Promise<number>;
  readonly exited: Promise<number>;
}

/** A free loopback port (bound, then released for the child to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Starts the relay with `env` (on top of PATH only: nothing leaks in from the test process) and
 * waits until it logged that it started. `command` replaces `bun src/main.ts`, e.g. with the
 * compiled binary.
 */
export async function startRelayProcess(env: Record<string, string>, options: { command?: string[]; waitForStart?: boolean } = {}): Promise<RelayProcess> {
  const port = env.HOBOM_HTTP_ADDR ? Number(env.HOBOM_HTTP_ADDR.split(":").pop()) : await freePort();
  const child: Subprocess<"ignore", "pipe", "pipe"> = spawn({
    // --no-env-file: the relay reads .env itself (src/config/environment.ts); Bun's own loading
    // would expand `$` in values first.
    cmd: options.command ?? [process.execPath, "--no-env-file", MAIN],
    env: { PATH: process.env.PATH ?? "", HOBOM_HTTP_ADDR: `127.0.0.1:${port}`, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  const exited = child.exited;
  void readLines(child.stdout, (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      logs.push({ level: "raw", msg: line });
    }
    for (const wake of waiters) wake();
  });
  void readLines(child.stderr, (line) => {
    stderr += `${line}\n`;
  });
  void exited.then(() => {
    for (const wake of waiters) wake();
  });

  const relay: RelayProcess = {
    pid: child.pid,
    httpUrl: `http://127.0.0.1:${port}`,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog(match, timeoutMs = 15_000) {
      return new Promise((resolveLine, reject) => {
        const check = () => {
          const found = logs.find(match);
          if (found) {
            cleanup();
            resolveLine(found);
          } else if (child.exitCode !== null) {
            cleanup();
            reject(new Error(`relay exited with ${child.exitCode} before the expected log line\n${describe()}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching relay log line within ${timeoutMs} ms\n${describe()}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      child.kill("SIGKILL");
      return exited;
    },
  };
  const describe = () =>
    `--- relay stdout (last 40 lines) ---\n${logs
      .slice(-40)
      .map((line) => JSON.stringify(line))
      .join("\n")}\n--- relay stderr ---\n${stderr}`;
  if (options.waitForStart !== false) await relay.waitForLog((line) => line.msg === "hobom-event-processor started");
  liveRelays.add(relay);
  void exited.then(() => liveRelays.delete(relay));
  return relay;
}

const liveRelays = new Set<RelayProcess>();

/** Kills every relay a test left running (call in afterAll/afterEach). */
export async function killAllRelays(): Promise<void> {
  await Promise.all([...liveRelays].map((relay) => relay.kill()));
}

async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim() !== "") onLine(line);
      newline = buffered.indexOf("\n");
    }
  }
  if (buffered.trim() !== "") onLine(buffered);
}
