/**
 * Redis for tests: the machine's own Redis when one answers on 6379, otherwise a redis-server this
 * test bed starts; plus private instances for tests that take Redis down on purpose.
 */
import type { Subprocess } from "bun";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePorts, killOnExit, processAlive, terminate, TESTBED_DIR, withLock, withTimeout } from "./kafka-broker.ts";

const DEFAULT_URL = "redis://127.0.0.1:6379";
const REDIS_DIR = join(TESTBED_DIR, "redis");
const SHARED_STATE = join(TESTBED_DIR, "shared-redis.json");
const READY_TIMEOUT_MS = 10_000;

interface SharedRedisState {
  pid: number;
  port: number;
}

/**
 * URL of the Redis all tests share (they keep apart by key prefix): the local one on 6379 if it
 * answers PING, else one started detached by the test bed and reused by later runs.
 */
export async function sharedRedisUrl(): Promise<string> {
  if (await ping(6379)) return DEFAULT_URL;
  const running = await healthySharedRedis();
  if (running) return running;
  return withLock("shared-redis", async () => {
    const startedMeanwhile = await healthySharedRedis();
    if (startedMeanwhile) return startedMeanwhile;
    await stopSharedRedis();
    const [port] = freePorts(1) as [number];
    const server = new LocalRedisServer(port, "shared", true);
    await server.start();
    const state: SharedRedisState = { pid: server.pid(), port: server.port };
    writeFileSync(SHARED_STATE, `${JSON.stringify(state, null, 2)}\n`);
    return server.url;
  });
}

/** Stops the redis-server the test bed started, if any (never the machine's own Redis). */
export async function stopSharedRedis(): Promise<{ pid: number; port: number } | null> {
  const state = readSharedState();
  if (!state) return null;
  if (processAlive(state.pid, "redis-server")) await terminate(state.pid);
  rmSync(SHARED_STATE, { force: true });
  return state;
}

/** Which Redis the test bed would use right now, and who runs it. */
export async function sharedRedisStatus(): Promise<{ url: string; owner: string; healthy: boolean } | null> {
  if (await ping(6379)) return { url: DEFAULT_URL, owner: "machine (not managed by the test bed)", healthy: true };
  const state = readSharedState();
  if (!state) return null;
  const healthy = processAlive(state.pid, "redis-server") && (await ping(state.port));
  return { url: `redis://127.0.0.1:${state.port}`, owner: `test bed, pid ${state.pid}`, healthy };
}

async function healthySharedRedis(): Promise<string | null> {
  const state = readSharedState();
  if (!state || !processAlive(state.pid, "redis-server") || !(await ping(state.port))) return null;
  return `redis://127.0.0.1:${state.port}`;
}

function readSharedState(): SharedRedisState | null {
  try {
    return JSON.parse(readFileSync(SHARED_STATE, "utf8")) as SharedRedisState;
  } catch {
    return null;
  }
}

/** A redis-server that a test owns. */
export interface RedisInstance {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Starts it again on the same port (empty: nothing is persisted) and waits for PING. */
  start(): Promise<void>;
  /** SHUTDOWN via SIGTERM; resolves once the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL; resolves once the process has exited. */
  kill(): Promise<void>;
}

/**
 * Starts a private redis-server on a free port, for tests that stop or kill Redis on purpose
 * (never the shared one). It dies with the test process. `persistent` keeps its data across a
 * stop and start (append-only file, fsync every write), as a production Redis does.
 */
export async function startRedisServer(options: { persistent?: boolean } = {}): Promise<RedisInstance> {
  const [port] = freePorts(1) as [number];
  const server = new LocalRedisServer(port, "private", false, options.persistent ?? false);
  await server.start();
  return server;
}

class LocalRedisServer implements RedisInstance {
  private proc: Subprocess | undefined;
  private startedBefore = false;

  constructor(
    readonly port: number,
    private readonly name: string,
    private readonly detached: boolean,
    private readonly persistent = false,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  pid(): number {
    if (!this.proc) throw new Error("redis-server not started");
    return this.proc.pid;
  }

  async start(): Promise<void> {
    if (this.running()) return;
    const binary = await redisServerBinary();
    mkdirSync(REDIS_DIR, { recursive: true });
    const logFile = join(REDIS_DIR, `${this.name}.log`);
    const log = openSync(logFile, "a");
    try {
      const dataDir = join(REDIS_DIR, `data-${this.port}`);
      // Fresh on the first start (a port is reused across runs), kept across restarts.
      if (!this.startedBefore) rmSync(dataDir, { recursive: true, force: true });
      this.startedBefore = true;
      mkdirSync(dataDir, { recursive: true });
      const persistence = this.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
      this.proc = Bun.spawn(
        [binary, "--port", String(this.port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", this.persistent ? dataDir : REDIS_DIR],
        { stdin: "ignore", stdout: log, stderr: log, detached: this.detached },
      );
    } finally {
      closeSync(log);
    }
    if (this.detached) this.proc.unref();
    else killOnExit(this.proc);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await ping(this.port))) {
      if (!this.running() || Date.now() > deadline) {
        await this.kill();
        throw new Error(`redis-server on port ${this.port} did not start; see ${logFile}:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
      }
      await Bun.sleep(50);
    }
  }

  async stop(): Promise<void> {
    if (this.proc && this.running()) await terminate(this.proc.pid, this.proc.exited);
  }

  async kill(): Promise<void> {
    if (!this.proc || !this.running()) return;
    this.proc.kill("SIGKILL");
    await this.proc.exited;
  }

  private running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }
}

async function redisServerBinary(): Promise<string> {
  const found = Bun.which("redis-server");
  if (found) return found;
  process.stderr.write("testbed: redis-server is not installed; running apt-get install -y redis-server\n");
  for (const command of [["apt-get", "update"], ["apt-get", "install", "-y", "redis-server"]]) {
    const code = await Bun.spawn(command, { stdin: "ignore", stdout: "ignore", stderr: "inherit" }).exited;
    if (code !== 0) throw new Error(`\`${command.join(" ")}\` failed (exit ${code}); install redis-server yourself`);
  }
  const installed = Bun.which("redis-server");
  if (!installed) throw new Error("apt-get installed redis-server but it is not on PATH");
  return installed;
}

/** PING over a raw socket: cheaper than a client, and a server that wants AUTH counts as unusable. */
async function ping(port: number): Promise<boolean> {
  const reply = new Promise<boolean>((resolve) => {
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(socket) {
          socket.write("PING\r\n");
        },
        data(socket, data) {
          resolve(data.toString().startsWith("+PONG"));
          socket.end();
        },
        close() {
          resolve(false);
        },
        error() {
          resolve(false);
        },
      },
    }).catch(() => resolve(false));
  });
  return withTimeout(reply, 1_000, () => false);
}
