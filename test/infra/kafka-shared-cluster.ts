/**
 * The test bed's shared 3-node Kafka cluster, for tests that need real replication but leave the
 * nodes alone (tests that stop, kill or freeze nodes start a private one, kafka-cluster.ts).
 * Started detached and reused across test runs, like the shared single broker.
 */
import { join } from "node:path";
import { prepareKafkaCluster, STOP_ALL_GRACE_MS } from "./kafka-cluster.ts";
import { kafkaDir, SHARED_CLUSTER_DIR } from "./kafka-dirs.ts";
import { kafkaVersion } from "./kafka-jars.ts";
import { metadataNodeIds } from "./kafka-node.ts";
import { processAlive, terminate } from "./processes.ts";
import { readSharedState, reuseOrStart, type SharedServer, stopShared } from "./shared-server.ts";

/** What .testbed/shared-kafka-cluster.json records. */
export interface SharedKafkaClusterState {
  version: string;
  /** Bootstrap list: every node's client address. */
  brokers: string[];
  /** The directory holding node-<id>.log for every node. */
  logDir: string;
  nodes: { id: number; pid: number; address: string; logFile: string }[];
}

const shared: SharedServer<SharedKafkaClusterState> = {
  name: "shared-kafka-cluster",
  healthy: async (state) => state.version === kafkaVersion() && (await answers(state)),
  stop: async (state) => {
    // Together, as stopAll() does, and for the same reason killed after STOP_ALL_GRACE_MS.
    await Promise.all(state.nodes.filter(alive).map((node) => terminate(node.pid, undefined, STOP_ALL_GRACE_MS)));
  },
  start: async () => {
    const cluster = await prepareKafkaCluster(SHARED_CLUSTER_DIR, {}, true);
    await cluster.startAll();
    return {
      version: kafkaVersion(),
      brokers: cluster.brokers,
      logDir: cluster.dir,
      nodes: cluster.nodes.map((node) => ({ id: node.id, pid: node.pid(), address: node.address, logFile: node.logFile })),
    };
  },
};

/** The recorded pid is still that node: a JVM whose command line names the node's directory. */
function alive(node: SharedKafkaClusterState["nodes"][number]): boolean {
  return processAlive(node.pid, join(kafkaDir(SHARED_CLUSTER_DIR), `node-${node.id}`, "server.properties"));
}

/** Every recorded node is alive, and a metadata request lists all of them as serving brokers. */
async function answers(state: SharedKafkaClusterState): Promise<boolean> {
  if (state.nodes.length === 0 || !state.nodes.every(alive)) return false;
  const ids = await metadataNodeIds(state.brokers);
  return ids !== null && state.nodes.every((node) => ids.includes(node.id));
}

/**
 * The shared cluster's bootstrap list and log directory: reused when the recorded one runs the
 * same Kafka version and all its nodes serve, otherwise started (detached) under a lock.
 */
export async function sharedKafkaCluster(): Promise<{ brokers: string[]; logDir: string }> {
  const state = await reuseOrStart(shared);
  return { brokers: state.brokers, logDir: state.logDir };
}

/** Stops the shared cluster if one is recorded; returns what was recorded, or null. */
export async function stopSharedKafkaCluster(): Promise<SharedKafkaClusterState | null> {
  return stopShared(shared);
}

/** What the state file records, and whether every node serves right now. */
export async function sharedKafkaClusterStatus(): Promise<(SharedKafkaClusterState & { healthy: boolean }) | null> {
  const state = readSharedState<SharedKafkaClusterState>(shared.name);
  if (!state) return null;
  return { ...state, healthy: await answers(state) };
}
