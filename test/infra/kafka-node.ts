/**
 * One Kafka KRaft node (a JVM running kafka.Kafka): formatting its storage, starting it and
 * telling when it serves, stopping, crashing, freezing and thawing it. The single broker, the
 * cluster and the secure broker are all made of these (configured with kafka-node-config.ts).
 * See /work/shared/docs/kafka-test-broker.md for the facts the settings rest on.
 */

import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { Kafka, logLevel } from "kafkajs";
import { canConnect, diesWithParent, errorWithLog, killOnExit, splitAddress, terminate } from "./processes.ts";

/** Heap and JIT settings that let three nodes run beside the relay and the tests on 2 cores. */
export const SMALL_NODE_JVM = ["-Xms128m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"];

// Four JVMs starting together on 2 cores (the shared broker and a cluster) take longer than one.
const READY_TIMEOUT_MS = 90_000;

/** Where a node lives and how its JVM runs; `dir` must hold what writeNodeConfig() wrote. */
export interface KafkaNodeSpec {
  /** node.id */
  readonly id: number;
  /** The node's own directory: server.properties, log4j2.properties, data/, pid. */
  readonly dir: string;
  /** stdout + stderr of every start, appended. */
  readonly logFile: string;
  /** A PLAINTEXT client address, used to tell when the node serves. */
  readonly address: string;
  /** The directory kafkaJars() returned. */
  readonly jars: string;
  /** JVM options, e.g. SMALL_NODE_JVM. */
  readonly jvm: readonly string[];
  /** Shared servers outlive this process; private ones die with it. */
  readonly detached: boolean;
  /** Added to the message when the node is not ready in time: why it may never get there. */
  readonly notReadyHint?: string;
}

/** A formatted node's process; start() may be called again after stop() or kill(). */
export class KafkaNode {
  private proc: Subprocess | undefined;
  private paused = false;

  constructor(private readonly spec: KafkaNodeSpec) {}

  /** node.id */
  get id(): number {
    return this.spec.id;
  }

  /** The node's PLAINTEXT client address, "127.0.0.1:<port>". */
  get address(): string {
    return this.spec.address;
  }

  /** stdout + stderr of the node, kept across restarts. */
  get logFile(): string {
    return this.spec.logFile;
  }

  /** The node's log.dirs; survives stop() and kill() so that start() brings the same data back. */
  get dataDir(): string {
    return join(this.spec.dir, "data");
  }

  /** The pid of the current (or last) process; throws before the first start. */
  pid(): number {
    if (!this.proc) throw new Error(`Kafka node ${this.id} was never started`);
    return this.proc.pid;
  }

  /** Whether the process is alive (paused counts as alive; alive is not ready). */
  isRunning(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Whether pause() froze the process and resume() has not thawed it yet. */
  isPaused(): boolean {
    return this.paused && this.isRunning();
  }

  /**
   * Formats the node's storage (kafka.tools.StorageTool format) for clusterId, before its first
   * start; `extra` adds arguments such as `--add-scram`. All nodes of a cluster share one id.
   */
  async format(clusterId: string, extra: readonly string[] = []): Promise<void> {
    const format = Bun.spawn(
      [...javaCommand(this.spec, "kafka.tools.StorageTool"), "format", "-t", clusterId, "-c", join(this.spec.dir, "server.properties"), ...extra],
      { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
    );
    const [out, err, code] = await Promise.all([new Response(format.stdout).text(), new Response(format.stderr).text(), format.exited]);
    if (code !== 0) throw new Error(`kafka.tools.StorageTool format failed (exit ${code}) in ${this.spec.dir}:\n${out}${err}`);
  }

  /** Starts the process if it is not running and resolves once it serves (see waitUntilReady). */
  async start(): Promise<void> {
    // A frozen process would never answer: waiting for it would only run into the timeout.
    if (this.isPaused()) throw new Error(`Kafka node ${this.id} is paused; resume() it rather than start() it`);
    this.spawn();
    await this.waitUntilReady();
  }

  /** Starts the process if it is not running, without waiting for it to serve. */
  spawn(): void {
    if (this.isRunning()) return;
    const log = openSync(this.logFile, "a");
    try {
      const command = [...javaCommand(this.spec, "kafka.Kafka"), join(this.spec.dir, "server.properties")];
      this.proc = Bun.spawn(this.spec.detached ? command : diesWithParent(command), {
        stdin: "ignore",
        stdout: log,
        stderr: log,
        detached: this.spec.detached,
      });
    } finally {
      closeSync(log);
    }
    this.paused = false;
    // For reapAbandonedKafkaDirs(): a test process that died without its exit hook leaves JVMs.
    writeFileSync(join(this.spec.dir, "pid"), String(this.proc.pid));
    if (this.spec.detached) this.proc.unref();
    else killOnExit(this.proc);
  }

  /**
   * Resolves once the node answers a metadata request on its own address and lists itself as an
   * unfenced broker; kills it and throws with its log's tail if it exits or takes over 90 s.
   */
  async waitUntilReady(): Promise<void> {
    const proc = this.proc;
    if (!proc) throw new Error(`Kafka node ${this.id} was never started`);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const [host, port] = splitAddress(this.address);
    let portOpen = false;
    while (Date.now() < deadline) {
      if (!this.isRunning()) {
        throw errorWithLog(`Kafka node ${this.id} exited during start-up (${proc.signalCode ?? `exit ${proc.exitCode}`})`, this.logFile);
      }
      portOpen ||= await canConnect(host, port);
      if (portOpen && (await metadataNodeIds([this.address]))?.includes(this.id)) return;
      await Bun.sleep(250);
    }
    await this.kill();
    throw errorWithLog(`Kafka node ${this.id} at ${this.address} not ready after ${READY_TIMEOUT_MS / 1000} s${this.spec.notReadyHint ?? ""}`, this.logFile);
  }

  /**
   * Graceful shutdown (SIGTERM: leadership moves first), SIGKILL after graceMs (default 30 s);
   * resolves once exited. A cluster node waits up to 5 minutes for a quorum of controllers to
   * approve its controlled shutdown: without one, only the SIGKILL ends it.
   */
  async stop(graceMs?: number): Promise<void> {
    if (!this.proc || !this.isRunning()) return;
    // A stopped process acts on SIGTERM only once it runs again.
    this.resume();
    await terminate(this.proc.pid, this.proc.exited, graceMs);
  }

  /** Crash (SIGKILL, works on a paused node too); resolves once the process has exited. */
  async kill(): Promise<void> {
    if (!this.proc || !this.isRunning()) return;
    this.proc.kill("SIGKILL");
    await this.proc.exited;
    this.paused = false;
  }

  /**
   * Freezes the process (SIGSTOP): a broker that hangs. Its connections stay open and unanswered;
   * the controller fences it once its session times out.
   */
  pause(): void {
    if (!this.proc || !this.isRunning()) throw new Error(`Kafka node ${this.id} is not running; cannot pause it`);
    this.proc.kill("SIGSTOP");
    this.paused = true;
  }

  /** Thaws a paused process (SIGCONT); a no-op for one that is not paused. */
  resume(): void {
    if (!this.proc || !this.isRunning() || !this.paused) return;
    this.proc.kill("SIGCONT");
    this.paused = false;
  }
}

/**
 * The ids of the unfenced brokers a metadata request to `brokers` lists, or null when none
 * answers in a few seconds; quiet, because failures are expected while polling.
 */
export async function metadataNodeIds(brokers: readonly string[]): Promise<number[] | null> {
  const admin = new Kafka({
    clientId: "hobom-testbed",
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.map((broker) => broker.nodeId);
  } catch {
    return null;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function javaCommand(spec: KafkaNodeSpec, mainClass: string): string[] {
  return ["java", ...spec.jvm, `-Dlog4j2.configurationFile=${join(spec.dir, "log4j2.properties")}`, "-cp", `${spec.jars}/*`, mainClass];
}
