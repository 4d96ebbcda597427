/**
 * A Kafka cluster of KRaft nodes on loopback (each node broker and controller, three by default),
 * replicated like production (RF 3, min.insync.replicas 2), for tests of leader moves, ISR
 * shrinks and broker crashes. A private cluster belongs to the test that starts it; see
 * kafka-shared-cluster.ts for the one test runs share.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { type ClusterTopics, clusterTopics } from "./kafka-cluster-topics.ts";
import { freshKafkaDir, reapAbandonedKafkaDirs } from "./kafka-dirs.ts";
import { kafkaJars } from "./kafka-jars.ts";
import { KafkaNode, SMALL_NODE_JVM } from "./kafka-node.ts";
import { newClusterId, writeNodeConfig } from "./kafka-node-config.ts";
import { freePorts, randomSuffix, removeOnExit } from "./processes.ts";

/** One node of a cluster: its process and the signals that are a fault test's tools. */
export interface KafkaClusterNode {
  /** node.id, 1..n. */
  readonly id: number;
  /** The node's client address, "127.0.0.1:<port>". */
  readonly address: string;
  /** stdout + stderr of the node, kept across restarts. */
  readonly logFile: string;
  /** The node's log.dirs; survives stop() and kill(). */
  readonly dataDir: string;
  /** The current (or last) process's pid. */
  pid(): number;
  /** Whether the process is alive (a paused node is). */
  isRunning(): boolean;
  /** Whether pause() froze it and resume() has not thawed it. */
  isPaused(): boolean;
  /**
   * Starts it again, same ports and data, and resolves once it serves. It serves only while a
   * quorum of controllers runs: after stopping a majority, use the cluster's startAll().
   */
  start(): Promise<void>;
  /**
   * Controlled shutdown (SIGTERM: its leaderships move first); resolves once it has exited. It
   * needs a quorum of controllers to approve it: without one it is killed after 30 s.
   */
  stop(): Promise<void>;
  /** Crash (SIGKILL); resolves once it has exited. */
  kill(): Promise<void>;
  /** Hang (SIGSTOP): connections stay open, nothing answers; fenced after its session times out. */
  pause(): void;
  /** Thaws a paused node (SIGCONT); it catches up and rejoins the ISRs. */
  resume(): void;
}

/** How to start a cluster. */
export interface KafkaClusterOptions {
  /** Directory name under .testbed/kafka/; default cluster-<random>. */
  readonly name?: string;
  /** Number of nodes, default 3. */
  readonly nodes?: number;
  /** auto.create.topics.enable; default false, like production. */
  readonly autoCreateTopics?: boolean;
  /** Extra or overriding server.properties entries for every node. */
  readonly brokerProperties?: Readonly<Record<string, string>>;
}

/** A running cluster; its topic helpers ask only the nodes that are running and not paused. */
export interface KafkaCluster extends ClusterTopics {
  /** Bootstrap list: every node's client address. */
  readonly brokers: string[];
  /** The nodes, ids 1..n in order. */
  readonly nodes: readonly KafkaClusterNode[];
  /** The cluster's directory, holding node-<id>.log for every node and node-<id>/ with its data. */
  readonly dir: string;
  /** The node with this id; throws for an unknown id. */
  node(id: number): KafkaClusterNode;
  /** Starts every node that is not running, together, and resolves once all serve. */
  startAll(): Promise<void>;
  /**
   * Stops every running node together (SIGTERM; about 6 s). A node that asks for its controlled
   * shutdown after the others' controllers are gone never gets it approved: it is killed after 10 s.
   */
  stopAll(): Promise<void>;
  /** Kills every running node. */
  killAll(): Promise<void>;
  /** Kills every node and removes the cluster's directory (done at process exit otherwise). */
  destroy(): Promise<void>;
}

/** How long stopAll() lets nodes shut down: a normal whole-cluster stop takes about 6 s. */
export const STOP_ALL_GRACE_MS = 10_000;

const QUORUM_HINT = "; a node serves only while a quorum (a majority) of controllers runs: start stopped nodes together with startAll()";

/**
 * Starts a private cluster in .testbed/kafka/<name>/ and resolves once every node serves. Its
 * JVMs die with the test process and its directory is removed then.
 */
export async function startKafkaCluster(options: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  reapAbandonedKafkaDirs();
  const cluster = await prepareKafkaCluster(options.name ?? `cluster-${randomSuffix()}`, options, false);
  await cluster.startAll();
  return cluster;
}

/**
 * Writes and formats the nodes of a cluster in a fresh .testbed/kafka/<name>/ without starting
 * them; `detached` makes their processes outlive this one (the shared cluster).
 */
export async function prepareKafkaCluster(name: string, options: KafkaClusterOptions, detached: boolean): Promise<KafkaCluster> {
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`a cluster needs a whole number of nodes ≥ 1, not ${count}`);
  const jars = await kafkaJars();
  const dir = freshKafkaDir(name, !detached);
  const removal = detached ? undefined : removeOnExit(dir);
  const ports = freePorts(2 * count);
  const ids = Array.from({ length: count }, (_, index) => index + 1);
  const clientPort = (id: number) => ports[2 * (id - 1)] as number;
  const controllerPort = (id: number) => ports[2 * (id - 1) + 1] as number;
  const voters = ids.map((id) => `${id}@127.0.0.1:${controllerPort(id)}`).join(",");
  const replication = String(Math.min(3, count));
  const minIsr = String(Math.min(2, count));

  const nodes = ids.map((id) => {
    const nodeDir = join(dir, `node-${id}`);
    writeNodeConfig(nodeDir, {
      "process.roles": "broker,controller",
      "node.id": String(id),
      "controller.quorum.voters": voters,
      listeners: `PLAINTEXT://127.0.0.1:${clientPort(id)},CONTROLLER://127.0.0.1:${controllerPort(id)}`,
      "advertised.listeners": `PLAINTEXT://127.0.0.1:${clientPort(id)}`,
      "controller.listener.names": "CONTROLLER",
      "inter.broker.listener.name": "PLAINTEXT",
      "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      "log.dirs": join(nodeDir, "data"),
      "auto.create.topics.enable": String(options.autoCreateTopics ?? false),
      "num.partitions": "6",
      "default.replication.factor": replication,
      "min.insync.replicas": minIsr,
      "offsets.topic.replication.factor": replication,
      "transaction.state.log.replication.factor": replication,
      "transaction.state.log.min.isr": minIsr,
      "share.coordinator.state.topic.replication.factor": replication,
      "share.coordinator.state.topic.min.isr": minIsr,
      // A follower that stops fetching leaves the ISR after 10 s rather than 30.
      "replica.lag.time.max.ms": "10000",
      // A crashed or frozen node is fenced 3 s after its last heartbeat (default 9 s), and its
      // leaderships move then; a restarted one re-registers at once.
      "broker.heartbeat.interval.ms": "500",
      "broker.session.timeout.ms": "3000",
      // Consumers in tests should join at once, not after the 3 s default.
      "group.initial.rebalance.delay.ms": "0",
      // The 128 MiB default is allocated on a 384 MiB heap.
      "log.cleaner.dedupe.buffer.size": "16777216",
      ...options.brokerProperties,
    });
    return new KafkaNode({
      id,
      dir: nodeDir,
      logFile: join(dir, `node-${id}.log`),
      address: `127.0.0.1:${clientPort(id)}`,
      jars,
      jvm: SMALL_NODE_JVM,
      detached,
      notReadyHint: QUORUM_HINT,
    });
  });
  const clusterId = newClusterId();
  await Promise.all(nodes.map((node) => node.format(clusterId)));

  const live = () => nodes.filter((node) => node.isRunning() && !node.isPaused()).map((node) => node.address);
  const cluster: KafkaCluster = {
    ...clusterTopics(live),
    brokers: nodes.map((node) => node.address),
    nodes,
    dir,
    node(id) {
      const node = nodes[id - 1];
      if (!node) throw new Error(`the cluster has nodes 1..${nodes.length}, no node ${id}`);
      return node;
    },
    async startAll() {
      const starting = nodes.filter((node) => !node.isRunning());
      for (const node of starting) node.spawn();
      const results = await Promise.allSettled(starting.map((node) => node.waitUntilReady()));
      const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failed) {
        // Half a cluster is no use to a test, and its JVMs would hold memory until exit.
        await cluster.killAll();
        throw failed.reason;
      }
    },
    async stopAll() {
      await Promise.all(nodes.map((node) => node.stop(STOP_ALL_GRACE_MS)));
    },
    async killAll() {
      await Promise.all(nodes.map((node) => node.kill()));
    },
    async destroy() {
      await cluster.killAll();
      rmSync(dir, { recursive: true, force: true });
      removal?.cancel();
    },
  };
  return cluster;
}
