/**
 * redis-server processes the test bed runs: private instances for tests that take Redis down on
 * purpose or need TLS or ACL users, and the process behind the shared Redis (redis-shared.ts).
 */

import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { makeCertificates } from "./certificates.ts";
import { ensureDebianPackages } from "./debian-packages.ts";
import { diesWithParent, errorWithLog, freePorts, killOnExit, removeOnExit, TESTBED_DIR, terminate } from "./processes.ts";
import { ping } from "./redis-ping.ts";

/** Where redis-server logs, data and certificates live. */
export const REDIS_DIR = join(TESTBED_DIR, "redis");
const READY_TIMEOUT_MS = 10_000;

/** An ACL user; `rules` default to everything: ["~*", "&*", "+@all"]. */
export interface RedisUser {
  readonly name: string;
  /** No whitespace or quotes: it travels on redis-server's command line. */
  readonly password: string;
  readonly rules?: readonly string[];
}

/** How to run a private redis-server. */
export interface RedisServerOptions {
  /** Keep data across a stop and start (append-only file, fsync every write), as production does. */
  readonly persistent?: boolean;
  /**
   * TLS only (`--tls-port`, no plaintext port), server certificate for 127.0.0.1/localhost from
   * a CA made for this server (caCertFile); clients need no certificate.
   */
  readonly tls?: boolean;
  /** ACL users besides `default`, which keeps working without a password. */
  readonly users?: readonly RedisUser[];
}

/** A redis-server that a test owns. */
export interface RedisInstance {
  /** redis://127.0.0.1:<port>, or rediss://127.0.0.1:<port> with tls. */
  readonly url: string;
  readonly port: number;
  /** With tls: the PEM CA certificate that signed the server's certificate. */
  readonly caCertFile?: string;
  /** Starts it again on the same port (empty unless persistent) and waits for PING. */
  start(): Promise<void>;
  /** SHUTDOWN via SIGTERM; resolves once the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL; resolves once the process has exited. */
  kill(): Promise<void>;
}

/**
 * Starts a private redis-server on a free port, for tests that stop or kill Redis on purpose
 * (never the shared one) or that need TLS or ACL users. It dies with the test process.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisInstance> {
  const [port] = freePorts(1) as [number];
  const server = new LocalRedisServer(port, "private", false, options);
  await server.start();
  return server;
}

/** One redis-server process on 127.0.0.1:port; `detached` ones outlive this process. */
export class LocalRedisServer implements RedisInstance {
  private proc: Subprocess | undefined;
  private startedBefore = false;
  private ca: string | undefined;

  constructor(
    readonly port: number,
    private readonly name: string,
    private readonly detached: boolean,
    private readonly options: RedisServerOptions = {},
  ) {
    for (const user of options.users ?? []) {
      if (!/^[^\s"'\\]+$/.test(user.name) || !/^[^\s"'\\]+$/.test(user.password)) {
        throw new Error(`Redis user ${JSON.stringify(user.name)}: no whitespace, quotes or backslashes in name or password`);
      }
    }
  }

  get url(): string {
    return `${this.options.tls ? "rediss" : "redis"}://127.0.0.1:${this.port}`;
  }

  get caCertFile(): string | undefined {
    return this.options.tls ? join(this.tlsDir, "ca.pem") : undefined;
  }

  private get tlsDir(): string {
    return join(REDIS_DIR, `tls-${this.port}`);
  }

  /** The process's pid; throws before the first start. */
  pid(): number {
    if (!this.proc) throw new Error("redis-server not started");
    return this.proc.pid;
  }

  async start(): Promise<void> {
    if (this.running()) return;
    const binary = await redisServerBinary();
    mkdirSync(REDIS_DIR, { recursive: true });
    const persistent = this.options.persistent ?? false;
    // Only a persistent server writes data: fresh on the first start (ports are reused across
    // runs), kept across restarts.
    const dataDir = join(REDIS_DIR, `data-${this.port}`);
    if (!this.startedBefore) {
      rmSync(dataDir, { recursive: true, force: true });
      if (persistent && !this.detached) removeOnExit(dataDir);
      if (this.options.tls) await this.makeTlsFiles();
    }
    this.startedBefore = true;
    if (persistent) mkdirSync(dataDir, { recursive: true });
    const args = [
      ...(this.options.tls ? this.tlsArgs() : ["--port", String(this.port)]),
      ...["--bind", "127.0.0.1", "--save", ""],
      ...(persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
      ...["--dir", persistent ? dataDir : REDIS_DIR],
      ...(this.options.users ?? []).flatMap((user) => ["--user", user.name, "on", `>${user.password}`, ...(user.rules ?? ["~*", "&*", "+@all"])]),
    ];
    const logFile = join(REDIS_DIR, `${this.name}.log`);
    const log = openSync(logFile, "a");
    try {
      const command = this.detached ? [binary, ...args] : diesWithParent([binary, ...args]);
      this.proc = Bun.spawn(command, { stdin: "ignore", stdout: log, stderr: log, detached: this.detached });
    } finally {
      closeSync(log);
    }
    if (this.detached) this.proc.unref();
    else killOnExit(this.proc);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await ping(this.port, this.ca))) {
      if (!this.running() || Date.now() > deadline) {
        await this.kill();
        throw errorWithLog(`redis-server on port ${this.port} did not start (it shares its log with other private servers)`, logFile);
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

  private async makeTlsFiles(): Promise<void> {
    rmSync(this.tlsDir, { recursive: true, force: true });
    if (!this.detached) removeOnExit(this.tlsDir);
    const certificates = await makeCertificates(this.tlsDir);
    this.ca = readFileSync(certificates.caCert, "utf8");
  }

  private tlsArgs(): string[] {
    const file = (name: string) => join(this.tlsDir, name);
    return [
      ...["--port", "0", "--tls-port", String(this.port)],
      ...["--tls-cert-file", file("server.pem"), "--tls-key-file", file("server.key"), "--tls-ca-cert-file", file("ca.pem")],
      // Clients prove nothing with a certificate here; tests of client certificates use Kafka.
      ...["--tls-auth-clients", "no"],
    ];
  }
}

/** Finds redis-server on PATH, installing it with apt-get when it is missing. */
export async function redisServerBinary(): Promise<string> {
  await ensureDebianPackages([{ command: "redis-server", package: "redis-server", why: "the test bed's Redis" }]);
  return Bun.which("redis-server") as string;
}
