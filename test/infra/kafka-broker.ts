/**
 * A single-node Kafka (KRaft, combined broker + controller) for tests: the shared one that every
 * test run reuses, and private ones for tests that stop, crash or freeze Kafka on purpose.
 *
 * kafkajs 2.2.4 works with Kafka 4.4.0 (checked with the test bed, test/integration/testbed/): kafkajs
 * negotiates with ApiVersions and then uses versions 4.x still serves, e.g. Produce v7, Fetch v11,
 * Metadata v6, ListOffsets v3, FindCoordinator v2, JoinGroup v5, SyncGroup v3, OffsetCommit v5,
 * OffsetFetch v4, InitProducerId v1, CreateTopics v3; Kafka 4.0 removed only older versions
 * (KIP-896). On a fresh broker the first InitProducerId/FindCoordinator get "coordinator is
 * loading/not available"; kafkajs retries them by itself.
 */
import { join } from "node:path";
import { freshKafkaDir, kafkaDir, reapAbandonedKafkaDirs, SHARED_BROKER_DIR } from "./kafka-dirs.ts";
import { kafkaJars, kafkaVersion } from "./kafka-jars.ts";
import { KafkaNode, metadataNodeIds } from "./kafka-node.ts";
import { newClusterId, writeNodeConfig } from "./kafka-node-config.ts";
import { freePorts, processAlive, randomSuffix, terminate } from "./processes.ts";
import { readSharedState, reuseOrStart, type SharedServer, stopShared } from "./shared-server.ts";

/** A single-node Kafka (KRaft, combined broker + controller) running on loopback. */
export interface KafkaBroker {
  /** Bootstrap addresses for clients, e.g. ["127.0.0.1:40123"]. */
  readonly brokers: string[];
  /** Broker stdout + stderr (log4j output); kept across restarts. */
  readonly logFile: string;
  /** The broker's log.dirs, directly inside its directory; survives stop()/kill() so that start() brings the same data back. */
  readonly dataDir: string;
  /** Starts the broker (same ports, same data) and resolves once it answers metadata requests. */
  start(): Promise<void>;
  /** Graceful shutdown (SIGTERM); resolves once the process has exited. */
  stop(): Promise<void>;
  /** Crash (SIGKILL); resolves once the process has exited. */
  kill(): Promise<void>;
  /**
   * Freezes the broker (SIGSTOP), as a broker that hangs: connections stay open, requests go
   * unanswered. Throws if it is not running.
   */
  pause(): void;
  /** Thaws a paused broker (SIGCONT); a no-op if it is not paused. */
  resume(): void;
  /** Whether the broker process is alive (not whether it is ready; a paused one is alive). */
  isRunning(): boolean;
}

/**
 * Starts a private broker for a test that needs to stop, kill or restart Kafka; the shared one
 * must never be disturbed. It lives in .testbed/kafka/<name>/ and dies with the test process;
 * its directory stays for a post-mortem until a later run reaps it.
 */
export async function startKafkaBroker(opts: { name?: string } = {}): Promise<KafkaBroker> {
  reapAbandonedKafkaDirs();
  const node = await prepareBroker(opts.name ?? `private-${randomSuffix()}`, false);
  await node.start();
  return {
    brokers: [node.address],
    logFile: node.logFile,
    dataDir: node.dataDir,
    start: () => node.start(),
    stop: () => node.stop(),
    kill: () => node.kill(),
    pause: () => node.pause(),
    resume: () => node.resume(),
    isRunning: () => node.isRunning(),
  };
}

interface SharedKafkaState {
  version: string;
  pid: number;
  brokers: string[];
  logFile: string;
}

const shared: SharedServer<SharedKafkaState> = {
  name: "shared-kafka",
  healthy: async (state) => state.version === kafkaVersion() && alive(state) && (await metadataNodeIds(state.brokers)) !== null,
  stop: async (state) => {
    if (alive(state)) await terminate(state.pid);
  },
  start: async () => {
    const node = await prepareBroker(SHARED_BROKER_DIR, true);
    await node.start();
    return { version: kafkaVersion(), pid: node.pid(), brokers: [node.address], logFile: node.logFile };
  },
};

/** The recorded pid is still our broker: a JVM whose command line names the shared directory. */
function alive(state: SharedKafkaState): boolean {
  return processAlive(state.pid, join(kafkaDir(SHARED_BROKER_DIR), "server.properties"));
}

/**
 * The test bed's shared broker: reused when one is already running and healthy, otherwise
 * started detached so that it outlives this process and the next test run reuses it.
 */
export async function sharedKafkaBroker(): Promise<{ brokers: string[]; logFile: string }> {
  const state = await reuseOrStart(shared);
  return { brokers: state.brokers, logFile: state.logFile };
}

/** Stops the shared broker if one is recorded; returns what was stopped, or null if nothing was. */
export async function stopSharedKafkaBroker(): Promise<{ pid: number; brokers: string[] } | null> {
  const state = await stopShared(shared);
  return state && { pid: state.pid, brokers: state.brokers };
}

/** What the shared-broker state file records, and whether that broker answers right now. */
export async function sharedKafkaStatus(): Promise<(SharedKafkaState & { healthy: boolean }) | null> {
  const state = readSharedState<SharedKafkaState>(shared.name);
  if (!state) return null;
  return { ...state, healthy: alive(state) && (await metadataNodeIds(state.brokers)) !== null };
}

async function prepareBroker(name: string, detached: boolean): Promise<KafkaNode> {
  const jars = await kafkaJars();
  const dir = freshKafkaDir(name, !detached);
  const [clientPort, controllerPort] = freePorts(2) as [number, number];
  writeNodeConfig(dir, {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${clientPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${clientPort}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": join(dir, "data"),
    "num.partitions": "1",
    "auto.create.topics.enable": "true",
    // The defaults (3) assume a cluster: consumer groups and transactions never work on one node.
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    // Consumers in tests should join at once, not after the 3 s default.
    "group.initial.rebalance.delay.ms": "0",
    // After a crash the controller keeps the dead broker's registration until its session
    // expires (default 9 s); restarts in tests should not wait that long.
    "broker.heartbeat.interval.ms": "500",
    "broker.session.timeout.ms": "3000",
    // The 128 MiB default is allocated on a 512 MiB heap.
    "log.cleaner.dedupe.buffer.size": "16777216",
  });
  const node = new KafkaNode({
    id: 1,
    dir,
    logFile: join(dir, "broker.log"),
    address: `127.0.0.1:${clientPort}`,
    jars,
    // The shared broker carries the benchmark's load: more heap than a cluster node.
    jvm: ["-Xms256m", "-Xmx512m"],
    detached,
  });
  await node.format(newClusterId());
  return node;
}
