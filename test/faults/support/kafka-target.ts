/**
 * The Kafka a fault scenario runs against: the shared single broker, a private broker of its own, or
 * a private 3-node cluster, with the scenario's topics created as its plan says. A private cluster
 * may be handed in to serve several scenarios in turn: after each, every node runs again and the
 * scenario's topics are deleted, so that the next finds the cluster as it was.
 */
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { type KafkaBroker, startKafkaBroker } from "../../infra/kafka-broker.ts";
import { type KafkaCluster, startKafkaCluster } from "../../infra/kafka-cluster.ts";
import { createTopics, type TopicSpec } from "../../support/kafka-topics.ts";
import type { RelayTopics } from "../../support/relay-env.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";

/** One of the relay's topics, by relayTestSetup's names. */
export type TopicRole = keyof RelayTopics;

/**
 * The topics of a scenario on a private cluster: 6 partitions each, replication factor 3 with
 * min.insync.replicas 2 (what production runs), unless the plan says otherwise.
 */
export interface ClusterPlan {
  /** 1 makes every topic RF 1 with min.insync.replicas 1: a partition lives on one node only. */
  readonly replicationFactor?: 1 | 3;
  /** Partitions or configs of single topics, over the defaults. */
  readonly topics?: Partial<Record<TopicRole, { readonly partitions?: number; readonly configs?: Readonly<Record<string, string>> }>>;
  /** Topics left uncreated at the start (the cluster creates none on demand); context.createTopic() creates one later. */
  readonly absent?: readonly TopicRole[];
}

/** Where a scenario asked to run: see Scenario.privateKafka and Scenario.privateCluster. */
export interface KafkaWish {
  readonly privateKafka?: boolean;
  readonly privateCluster?: ClusterPlan;
}

export interface KafkaTarget {
  readonly brokers: readonly string[];
  /** The private broker, when the scenario asked for one. */
  readonly broker: KafkaBroker | undefined;
  /** The private cluster, when the scenario asked for one. */
  readonly cluster: KafkaCluster | undefined;
  /** Creates the scenario's topics, but those its plan leaves absent. */
  createTopics(topics: RelayTopics): Promise<void>;
  /** Creates one topic as the plan specifies it (for a topic left absent at the start). */
  createTopic(topics: RelayTopics, role: TopicRole): Promise<void>;
  /** Removes a Kafka of the scenario's own, or gives a shared private cluster back as it found it. */
  close(topics: RelayTopics | undefined): Promise<void>;
}

export const CLUSTER_PARTITIONS = 6;

/** A private cluster for fault scenarios; see startKafkaCluster. */
export function startFaultCluster(): Promise<KafkaCluster> {
  // Accounting reads topics through consumer groups: one offsets partition, not 50, is all it needs.
  return startKafkaCluster({ name: uniqueName("faults-cluster"), brokerProperties: { "offsets.topic.num.partitions": "1" } });
}

/** The topic spec of `role` under `plan`. */
export function clusterTopicSpec(plan: ClusterPlan, topics: RelayTopics, role: TopicRole): TopicSpec {
  const replicationFactor = plan.replicationFactor ?? 3;
  const own = plan.topics?.[role];
  return {
    topic: topics[role],
    partitions: own?.partitions ?? CLUSTER_PARTITIONS,
    replicationFactor,
    configs: { "min.insync.replicas": replicationFactor === 1 ? "1" : "2", ...own?.configs },
  };
}

/** How a scenario's Kafka is labelled in the Reliability table. */
export function kafkaLabel(wish: KafkaWish): string {
  return wish.privateCluster ? "3 brokers" : "1 broker";
}

/**
 * Starts what `wish` asks for; a cluster handed in as `shared` is used instead of a new one (it
 * must have every node running and unpaused).
 */
export async function openKafka(wish: KafkaWish, shared?: KafkaCluster): Promise<KafkaTarget> {
  const plan = wish.privateCluster;
  const cluster = plan ? (shared ?? (await startFaultCluster())) : undefined;
  const broker = wish.privateKafka && !plan ? await startKafkaBroker({ name: uniqueName("faults") }) : undefined;
  const brokers = cluster?.brokers ?? broker?.brokers ?? testbedEnv().kafkaBrokers;
  const roles = (topics: RelayTopics) => Object.keys(topics) as TopicRole[];

  return {
    brokers,
    broker,
    cluster,
    async createTopics(topics) {
      if (!cluster || !plan) return createTopics(brokers, Object.values(topics));
      const present = roles(topics).filter((role) => !plan.absent?.includes(role));
      await createOnCluster(
        cluster,
        present.map((role) => clusterTopicSpec(plan, topics, role)),
      );
    },
    async createTopic(topics, role) {
      if (!cluster || !plan) return createTopics(brokers, [topics[role]]);
      await createOnCluster(cluster, [clusterTopicSpec(plan, topics, role)]);
    },
    async close(topics) {
      if (broker) {
        await broker.kill();
        rmSync(dirname(broker.dataDir), { recursive: true, force: true });
      }
      if (!cluster) return;
      if (cluster !== shared) return cluster.destroy();
      await restore(cluster);
      if (topics) await deleteTopics(cluster.brokers, Object.values(topics));
    },
  };
}

/** Every node running and unpaused again, whatever the scenario left behind. */
async function restore(cluster: KafkaCluster): Promise<void> {
  for (const node of cluster.nodes) if (node.isPaused()) node.resume();
  await cluster.startAll();
}

/**
 * Creates topics in one request, then waits until the cluster reports each with a leader and a full
 * ISR. kafkajs's own wait for leaders gives up after a few metadata errors, and a node restarted by
 * the scenario before answers them for a while (it does not host the new partitions yet).
 */
async function createOnCluster(cluster: KafkaCluster, specs: readonly TopicSpec[]): Promise<void> {
  await withAdmin(cluster.brokers, (admin) =>
    admin.createTopics({
      topics: specs.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions ?? CLUSTER_PARTITIONS,
        replicationFactor: spec.replicationFactor ?? 3,
        configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      // kafkajs's own wait (its default) is what gives up; the cluster's wait below does not.
      waitForLeaders: false,
    }),
  );
  await Promise.all(specs.map((spec) => cluster.waitForFullIsr(spec.topic)));
}

/** Deletes topics that exist among `names` (a scenario's, once it is over), so that the cluster stays small. */
async function deleteTopics(brokers: readonly string[], names: readonly string[]): Promise<void> {
  await withAdmin(brokers, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const topics = names.filter((name) => existing.has(name));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  });
}

async function withAdmin<T>(brokers: readonly string[], use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: "hobom-faults", brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
