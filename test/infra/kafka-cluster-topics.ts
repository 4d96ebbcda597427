/**
 * Topics on a Kafka cluster as fault tests see them: who leads each partition and who is in its
 * ISR, read from the admin client's topic metadata, and waits for leadership to move or the ISR
 * to fill again. Every call asks only the nodes that can answer (running, not paused): a request
 * to a frozen node would hang until its timeout.
 */
import { Kafka, logLevel } from "kafkajs";

/** One partition's replication state, from topic metadata. */
export interface PartitionState {
  readonly partition: number;
  /** Node id of the leader; -1 while the partition has none. */
  readonly leader: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

/** A topic to create on a cluster. */
export interface ClusterTopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic configs, e.g. { "min.insync.replicas": "2", "max.message.bytes": "1048588" }. */
  readonly configs?: Readonly<Record<string, string>>;
}

/** Topic and partition helpers bound to one cluster. */
export interface ClusterTopics {
  /** Creates a new topic; resolves once every partition has a leader and a full ISR (30 s at most). */
  createTopic(spec: ClusterTopicSpec): Promise<void>;
  /** Every partition of topic, in partition order. */
  partitions(topic: string): Promise<PartitionState[]>;
  /** Node id leading topic's partition; throws while it has no leader. */
  leaderOf(topic: string, partition: number): Promise<number>;
  /** The partitions of topic that nodeId leads, ascending. */
  partitionsLedBy(topic: string, nodeId: number): Promise<number[]>;
  /**
   * Polls topic metadata (every 250 ms) until predicate holds and returns that state; throws
   * after timeoutMs (default 30 s) naming `what` and showing the last state seen.
   */
  waitForPartitions(topic: string, what: string, predicate: (partitions: PartitionState[]) => boolean, timeoutMs?: number): Promise<PartitionState[]>;
  /** Waits until every partition of topic has a leader other than nodeId. */
  waitUntilNotLeading(topic: string, nodeId: number, timeoutMs?: number): Promise<PartitionState[]>;
  /** Waits until every partition of topic has a leader and all its replicas in the ISR. */
  waitForFullIsr(topic: string, timeoutMs?: number): Promise<PartitionState[]>;
}

const WAIT_MS = 30_000;

/** ClusterTopics for the cluster whose answering nodes' addresses liveBrokers() returns. */
export function clusterTopics(liveBrokers: () => string[]): ClusterTopics {
  const withAdmin = async <T>(fn: (admin: ReturnType<Kafka["admin"]>) => Promise<T>): Promise<T> => {
    const brokers = liveBrokers();
    if (brokers.length === 0) throw new Error("no node of the cluster is running and unpaused");
    const admin = new Kafka({
      clientId: "hobom-testbed-admin",
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2_000,
      requestTimeout: 5_000,
      retry: { retries: 3, initialRetryTime: 200 },
    }).admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  };

  const partitions = (topic: string): Promise<PartitionState[]> =>
    withAdmin(async (admin) => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const found = topics.find((entry) => entry.name === topic);
      if (!found) throw new Error(`topic ${topic} is not in the cluster's metadata`);
      return found.partitions
        .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
        .sort((a, b) => a.partition - b.partition);
    });

  const fullIsr = (all: PartitionState[]) => all.length > 0 && all.every((p) => p.leader >= 0 && p.replicas.every((replica) => p.isr.includes(replica)));

  const waitForPartitions: ClusterTopics["waitForPartitions"] = async (topic, what, predicate, timeoutMs = WAIT_MS) => {
    const deadline = Date.now() + timeoutMs;
    let last: PartitionState[] | string = "(no metadata yet)";
    for (;;) {
      try {
        last = await partitions(topic);
        if (predicate(last)) return last;
      } catch (error) {
        // A leader election in progress or a node going away: ask again.
        last = `metadata request failed: ${error}`;
      }
      if (Date.now() > deadline) {
        throw new Error(`${topic}: not ${what} after ${timeoutMs / 1000} s; last seen: ${describe(last)}`);
      }
      await Bun.sleep(250);
    }
  };

  return {
    async createTopic({ topic, partitions: numPartitions, replicationFactor, configs = {} }) {
      const created = await withAdmin((admin) =>
        admin.createTopics({
          topics: [
            {
              topic,
              numPartitions,
              replicationFactor,
              configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
            },
          ],
          waitForLeaders: true,
        }),
      );
      if (!created) throw new Error(`topic ${topic} already exists`);
      await waitForPartitions(topic, "fully replicated (a leader and a full ISR everywhere)", fullIsr);
    },
    partitions,
    async leaderOf(topic, partition) {
      const state = (await partitions(topic)).find((p) => p.partition === partition);
      if (!state) throw new Error(`${topic} has no partition ${partition}`);
      if (state.leader < 0) throw new Error(`${topic}[${partition}] has no leader right now (ISR ${state.isr.join(",")})`);
      return state.leader;
    },
    async partitionsLedBy(topic, nodeId) {
      return (await partitions(topic)).filter((p) => p.leader === nodeId).map((p) => p.partition);
    },
    waitForPartitions,
    waitUntilNotLeading: (topic, nodeId, timeoutMs) =>
      waitForPartitions(topic, `led by nodes other than ${nodeId}`, (all) => all.every((p) => p.leader >= 0 && p.leader !== nodeId), timeoutMs),
    waitForFullIsr: (topic, timeoutMs) => waitForPartitions(topic, "back to a full ISR", fullIsr, timeoutMs),
  };
}

/** "p0 leader 2 isr [2,3] replicas [1,2,3]; p1 …", for error messages. */
function describe(state: PartitionState[] | string): string {
  if (typeof state === "string") return state;
  return state.map((p) => `p${p.partition} leader ${p.leader} isr [${p.isr.join(",")}] replicas [${p.replicas.join(",")}]`).join("; ");
}
