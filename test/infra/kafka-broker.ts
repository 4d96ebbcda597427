/**
 * Real Apache Kafka brokers for tests, assembled from Maven Central jars: CI boxes have Java and
 * Maven but neither Docker nor access to the Kafka download site.
 * See /work/shared/docs/kafka-test-broker.md for the facts the settings below rest on.
 *
 * kafkajs 2.2.4 works with Kafka 4.4.0 (checked with the test bed, test/integration/testbed/): kafkajs
 * negotiates with ApiVersions and then uses versions 4.x still serves, e.g. Produce v7, Fetch v11,
 * Metadata v6, ListOffsets v3, FindCoordinator v2, JoinGroup v5, SyncGroup v3, OffsetCommit v5,
 * OffsetFetch v4, InitProducerId v1, CreateTopics v3; Kafka 4.0 removed only older versions
 * (KIP-896). On a fresh broker the first InitProducerId/FindCoordinator get "coordinator is
 * loading/not available"; kafkajs retries them by itself.
 */
import { Kafka, logLevel } from "kafkajs";
import type { Subprocess } from "bun";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative, resolve } from "node:path";

/** The git-ignored directory all testbed processes share: jar cache, data, logs, state files, locks. */
export const TESTBED_DIR = resolve(import.meta.dir, "../../.testbed");

const POM = join(import.meta.dir, "kafka", "pom.xml");
const SHARED_STATE = join(TESTBED_DIR, "shared-kafka.json");
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/** A single-node Kafka (KRaft, combined broker + controller) running on loopback. */
export interface KafkaBroker {
  /** Bootstrap addresses for clients, e.g. ["127.0.0.1:40123"]. */
  readonly brokers: string[];
  /** Broker stdout + stderr (log4j output); kept across restarts. */
  readonly logFile: string;
  /** The broker's log.dirs; survives stop()/kill() so that start() brings the same data back. */
  readonly dataDir: string;
  /** Starts the broker (same ports, same data) and resolves once it answers metadata requests. */
  start(): Promise<void>;
  /** Graceful shutdown (SIGTERM); resolves once the process has exited. */
  stop(): Promise<void>;
  /** Crash (SIGKILL); resolves once the process has exited. */
  kill(): Promise<void>;
  /** Whether the broker process is alive (not whether it is ready). */
  isRunning(): boolean;
}

/**
 * Starts a private broker for a test that needs to stop, kill or restart Kafka; the shared one
 * must never be disturbed. It lives in .testbed/kafka/<name>/ and dies with the test process.
 */
export async function startKafkaBroker(opts: { name?: string } = {}): Promise<KafkaBroker> {
  if (opts.name === "shared") throw new Error('"shared" is the shared broker\'s directory; pick another name');
  pruneAbandonedBrokerDirs();
  const broker = await prepareBroker(opts.name ?? `private-${randomSuffix()}`, false);
  await broker.start();
  return broker;
}

interface SharedKafkaState {
  version: string;
  pid: number;
  brokers: string[];
  logFile: string;
}

/**
 * The test bed's shared broker: reused when one is already running and healthy, otherwise
 * started detached so that it outlives this process and the next test run reuses it.
 */
export async function sharedKafkaBroker(): Promise<{ brokers: string[]; logFile: string }> {
  const running = await healthySharedBroker();
  if (running) return running;
  return withLock("shared-kafka", async () => {
    const startedMeanwhile = await healthySharedBroker();
    if (startedMeanwhile) return startedMeanwhile;
    // A leftover broker that no longer answers (or runs an older version) would hold the data dir.
    await stopSharedKafkaBroker();
    const broker = await prepareBroker("shared", true);
    await broker.start();
    const state: SharedKafkaState = {
      version: kafkaVersion(),
      pid: broker.pid(),
      brokers: broker.brokers,
      logFile: broker.logFile,
    };
    writeFileSync(SHARED_STATE, `${JSON.stringify(state, null, 2)}\n`);
    return { brokers: state.brokers, logFile: state.logFile };
  });
}

/** Stops the shared broker if one is recorded; returns what was stopped, or null if nothing was. */
export async function stopSharedKafkaBroker(): Promise<{ pid: number; brokers: string[] } | null> {
  const state = readSharedState();
  if (!state) return null;
  if (processAlive(state.pid, "kafka.Kafka")) await terminate(state.pid);
  rmSync(SHARED_STATE, { force: true });
  return { pid: state.pid, brokers: state.brokers };
}

/** What the shared-broker state file records, and whether that broker answers right now. */
export async function sharedKafkaStatus(): Promise<(SharedKafkaState & { healthy: boolean }) | null> {
  const state = readSharedState();
  if (!state) return null;
  const healthy = processAlive(state.pid, "kafka.Kafka") && (await clusterResponds(state.brokers));
  return { ...state, healthy };
}

async function healthySharedBroker(): Promise<{ brokers: string[]; logFile: string } | null> {
  const state = readSharedState();
  if (!state || state.version !== kafkaVersion() || !processAlive(state.pid, "kafka.Kafka")) return null;
  if (!(await clusterResponds(state.brokers))) return null;
  return { brokers: state.brokers, logFile: state.logFile };
}

function readSharedState(): SharedKafkaState | null {
  try {
    return JSON.parse(readFileSync(SHARED_STATE, "utf8")) as SharedKafkaState;
  } catch {
    return null;
  }
}

class LocalKafkaBroker implements KafkaBroker {
  readonly brokers: string[];
  private proc: Subprocess | undefined;

  constructor(
    private readonly dir: string,
    private readonly jars: string,
    clientPort: number,
    private readonly detached: boolean,
  ) {
    this.brokers = [`127.0.0.1:${clientPort}`];
  }

  get logFile(): string {
    return join(this.dir, "broker.log");
  }

  get dataDir(): string {
    return join(this.dir, "data");
  }

  pid(): number {
    if (!this.proc) throw new Error("broker not started");
    return this.proc.pid;
  }

  isRunning(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.isRunning()) return;
    const log = openSync(this.logFile, "a");
    try {
      this.proc = Bun.spawn(
        [
          "java",
          "-Xms256m",
          "-Xmx512m",
          `-Dlog4j2.configurationFile=${join(this.dir, "log4j2.properties")}`,
          "-cp",
          `${this.jars}/*`,
          "kafka.Kafka",
          join(this.dir, "server.properties"),
        ],
        { stdin: "ignore", stdout: log, stderr: log, detached: this.detached },
      );
    } finally {
      closeSync(log);
    }
    if (this.detached) this.proc.unref();
    else killOnExit(this.proc);
    try {
      await waitUntilReady(this.brokers, this.logFile, this.proc);
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.proc && this.isRunning()) await terminate(this.proc.pid, this.proc.exited);
  }

  async kill(): Promise<void> {
    if (!this.proc || !this.isRunning()) return;
    this.proc.kill("SIGKILL");
    await this.proc.exited;
  }
}

async function prepareBroker(name: string, detached: boolean): Promise<LocalKafkaBroker> {
  const jars = await kafkaJars();
  const dir = join(TESTBED_DIR, "kafka", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "data"), { recursive: true });
  if (!detached) writeFileSync(join(dir, "owner.pid"), String(process.pid));
  const [clientPort, controllerPort] = freePorts(2) as [number, number];
  writeFileSync(
    join(dir, "server.properties"),
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${clientPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${clientPort}`,
      "controller.listener.names=CONTROLLER",
      "inter.broker.listener.name=PLAINTEXT",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      `log.dirs=${join(dir, "data")}`,
      "num.partitions=1",
      "auto.create.topics.enable=true",
      // The defaults (3) assume a cluster: consumer groups and transactions never work on one node.
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=1",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      // Consumers in tests should join at once, not after the 3 s default.
      "group.initial.rebalance.delay.ms=0",
      // After a crash the controller keeps the dead broker's registration until its session
      // expires (default 9 s); restarts in tests should not wait that long.
      "broker.heartbeat.interval.ms=500",
      "broker.session.timeout.ms=3000",
      // The 128 MiB default is allocated on a 512 MiB heap.
      "log.cleaner.dedupe.buffer.size=16777216",
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "log4j2.properties"),
    [
      "status = warn",
      "appender.out.type = Console",
      "appender.out.name = out",
      "appender.out.layout.type = PatternLayout",
      "appender.out.layout.pattern = [%d] %p %m (%c)%n",
      "rootLogger.level = info",
      "rootLogger.appenderRef.out.ref = out",
      "",
    ].join("\n"),
  );
  await formatStorage(dir, jars);
  return new LocalKafkaBroker(dir, jars, clientPort, detached);
}

async function formatStorage(dir: string, jars: string): Promise<void> {
  const format = Bun.spawn(
    [
      "java",
      `-Dlog4j2.configurationFile=${join(dir, "log4j2.properties")}`,
      "-cp",
      `${jars}/*`,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      clusterId(),
      "-c",
      join(dir, "server.properties"),
    ],
    { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const [out, err, code] = await Promise.all([
    new Response(format.stdout).text(),
    new Response(format.stderr).text(),
    format.exited,
  ]);
  if (code !== 0) throw new Error(`kafka.tools.StorageTool format failed (exit ${code}) in ${dir}:\n${out}${err}`);
}

/** 16 random bytes as unpadded URL-safe base64 (22 chars), the form StorageTool accepts. */
function clusterId(): string {
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

function kafkaVersion(): string {
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(POM, "utf8"))?.[1];
  if (!version) throw new Error(`no <kafka.version> in ${POM}`);
  return version;
}

async function kafkaJars(): Promise<string> {
  const version = kafkaVersion();
  const dir = join(TESTBED_DIR, "kafka-jars", version);
  if (existsSync(join(dir, ".complete"))) return dir;
  // Fetch next to the cache and rename into place, so an interrupted fetch never looks complete.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const started = Date.now();
  progress(`fetching Kafka ${version} jars with Maven into ${relative(process.cwd(), dir)} (first run only)`);
  const ticker = setInterval(() => progress(`still fetching Kafka jars (${elapsed(started)})`), 15_000);
  try {
    const mvn = Bun.spawn(
      ["mvn", "-q", "-B", "-f", POM, "dependency:copy-dependencies", `-DoutputDirectory=${tmp}`],
      { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
    );
    const [out, err, code] = await Promise.all([
      new Response(mvn.stdout).text(),
      new Response(mvn.stderr).text(),
      mvn.exited,
    ]);
    if (code !== 0) throw new Error(`mvn dependency:copy-dependencies failed (exit ${code}):\n${out}${err}`);
  } finally {
    clearInterval(ticker);
  }
  writeFileSync(join(tmp, ".complete"), "");
  if (existsSync(join(dir, ".complete"))) {
    rmSync(tmp, { recursive: true, force: true });
  } else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  }
  progress(`Kafka ${version} jars ready (${elapsed(started)})`);
  return dir;
}

/** Private brokers of test processes that died without cleaning up would otherwise pile up. */
function pruneAbandonedBrokerDirs(): void {
  const root = join(TESTBED_DIR, "kafka");
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const ownerFile = join(root, name, "owner.pid");
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, "utf8"));
    if (owner !== process.pid && !processAlive(owner)) rmSync(join(root, name), { recursive: true, force: true });
  }
}

async function waitUntilReady(brokers: string[], logFile: string, proc: Subprocess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const [host, port] = splitAddress(brokers[0] ?? "");
  let portOpen = false;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw brokerError(`Kafka broker exited during start-up (${proc.signalCode ?? `exit ${proc.exitCode}`})`, logFile);
    }
    portOpen ||= await canConnect(host, port);
    if (portOpen && (await clusterResponds(brokers))) return;
    await Bun.sleep(250);
  }
  throw brokerError(`Kafka broker at ${brokers.join(",")} not ready after ${READY_TIMEOUT_MS / 1000} s`, logFile);
}

function brokerError(message: string, logFile: string): Error {
  let tail: string;
  try {
    tail = readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-40).join("\n");
  } catch (error) {
    tail = `(cannot read it: ${error})`;
  }
  return new Error(`${message}\nLog file: ${logFile}\n--- last 40 lines ---\n${tail}`);
}

/** Whether the cluster answers a metadata request; quiet, because failures are expected while polling. */
async function clusterResponds(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({
    clientId: "hobom-testbed",
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

// ---------------------------------------------------------------------------------------------
// Process helpers shared with redis-server.ts.

/** Ports that were free a moment ago (held together while asking, so they differ). */
export function freePorts(count: number): number[] {
  const listeners = Array.from({ length: count }, () =>
    Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }),
  );
  const ports = listeners.map((listener) => listener.port);
  for (const listener of listeners) listener.stop(true);
  return ports;
}

/** Whether something accepts TCP connections at host:port. */
async function canConnect(hostname: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  const attempt = Bun.connect({ hostname, port, socket: { data() {} } }).then(
    (socket) => {
      socket.end();
      return true;
    },
    () => false,
  );
  return withTimeout(attempt, timeoutMs, () => false);
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
 * SIGTERM, then SIGKILL if the process is still there after STOP_TIMEOUT_MS. `exited` is the
 * Subprocess's promise when we are the parent; otherwise we poll the pid.
 */
export async function terminate(pid: number, exited?: Promise<unknown>): Promise<void> {
  const gone = (exited ?? pollUntilGone(pid)).then(() => true);
  signal(pid, "SIGTERM");
  if (!(await withTimeout(gone, STOP_TIMEOUT_MS, () => false))) {
    signal(pid, "SIGKILL");
    await gone;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
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
process.on("exit", () => {
  for (const child of childrenToKill) child.kill("SIGKILL");
});

/**
 * Ties a child to this process: it no longer keeps the event loop alive, and it is killed when
 * this process exits (a leaked broker would keep its ports and ~500 MB).
 */
export function killOnExit(proc: Subprocess): void {
  childrenToKill.add(proc);
  proc.unref();
  void proc.exited.then(() => childrenToKill.delete(proc));
}

/**
 * Runs fn while holding .testbed/<name>.lock, so that concurrent test processes do not both start
 * a shared server. A lock whose owner died is taken over.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(TESTBED_DIR, `${name}.lock`);
  mkdirSync(TESTBED_DIR, { recursive: true });
  // Long enough for a holder that is fetching jars with Maven and then starting a broker.
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

/** A short random string for names that must not collide between processes. */
function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function progress(message: string): void {
  process.stderr.write(`testbed: ${message}\n`);
}
