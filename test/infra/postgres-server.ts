/**
 * A private PostgreSQL cluster for the tests that stop or kill the database (never the machine's
 * shared server): initdb into a fresh directory, the postmaster on a free port, stopped the way
 * `pg_ctl stop` does it (fast: sessions cut, committed data kept) or killed outright. PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` user (setpriv, which also ties it to
 * this process: it dies with the test run however that ends).
 */
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { errorWithLog, freePorts, killOnExit, removeOnExit } from "./processes.ts";

export interface PostgresInstance {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  /** Starts it again on the same port and data directory and waits until it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: a clean shutdown that ends every session; resolves once it has exited. */
  stop(): Promise<void>;
  /** SIGKILL of the postmaster: a crash, recovered from the WAL at the next start. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

const TOOLS = ["initdb", "postgres", "pg_ctl", "pg_isready"];

/** The directory holding initdb, postgres, pg_ctl and pg_isready: Debian's versioned one, else initdb's on PATH. */
function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const candidates = [
    ...versions.map((version) => join(root, version, "bin")),
    ...[Bun.which("initdb")].filter((path) => path !== null).map((path) => join(path, "..")),
  ];
  const found = candidates.find((dir) => TOOLS.every((tool) => existsSync(join(dir, tool))));
  if (!found) throw new Error(`PostgreSQL's ${TOOLS.join(", ")} are not installed together (Debian: apt-get install postgresql)`);
  return found;
}

/** As root: run as the postgres user. Always: die with this process. */
function asDatabaseUser(command: readonly string[]): string[] {
  const setpriv = Bun.which("setpriv");
  const root = userInfo().uid === 0;
  if (root && !setpriv) throw new Error("running PostgreSQL as root needs setpriv (util-linux) to become the postgres user");
  if (!setpriv) return [...command];
  return [setpriv, ...(root ? ["--reuid=postgres", "--regid=postgres", "--init-groups"] : []), "--pdeathsig", "SIGKILL", ...command];
}

async function run(command: readonly string[], what: string): Promise<void> {
  const child = Bun.spawn(asDatabaseUser(command), { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${out}${err}`);
}

export async function startPrivatePostgres(): Promise<PostgresInstance> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "hobom-pg-"));
  removeOnExit(dir);
  if (userInfo().uid === 0)
    chownSync(dir, Number(Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString()), Number(Bun.spawnSync(["id", "-g", "postgres"]).stdout.toString()));
  const data = join(dir, "data");
  await run([join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"], "initdb");
  const [port] = freePorts(1) as [number];
  const logFile = join(dir, "postgres.log");
  let proc: Subprocess | undefined;
  const running = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;

  const startOnce = async () => {
    const log = openSync(logFile, "a");
    try {
      // Durability settings off: this cluster's data outlives no test, and fsync costs seconds.
      proc = Bun.spawn(
        asDatabaseUser([
          join(bin, "postgres"),
          ...["-D", data, "-p", String(port), "-k", dir],
          ...["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=50"],
        ]),
        { stdin: "ignore", stdout: log, stderr: log },
      );
    } finally {
      closeSync(log);
    }
    killOnExit(proc);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (Bun.spawnSync([join(bin, "pg_isready"), "-h", "127.0.0.1", "-p", String(port), "-q"]).exitCode === 0) return;
      if (!running() || Date.now() > deadline) {
        await instance.kill();
        throw errorWithLog(`private PostgreSQL on port ${port} did not start`, logFile);
      }
      await Bun.sleep(50);
    }
  };

  const instance: PostgresInstance = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      if (running()) return;
      // After a kill, the old postmaster's backends may hold its shared memory for a moment:
      // a start that fails at once is tried again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await startOnce();
        } catch (error) {
          if (attempt >= 5) throw error;
          await Bun.sleep(300);
        }
      }
    },
    async stop() {
      if (!running()) return;
      await run([join(bin, "pg_ctl"), "stop", "-D", data, "-m", "fast", "-w", "-t", "30"], "pg_ctl stop");
      await proc?.exited;
    },
    async kill() {
      if (!proc || !running()) return;
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
  await instance.start();
  return instance;
}
