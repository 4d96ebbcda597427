/**
 * Steps of the scenarios on a private 3-node cluster: which node to hit, when the relay saw it and
 * when leadership moved, and which partition a row's record goes to.
 */
import { partitionOf } from "../../../src/sinks/kafka/partitioner.ts";
import type { KafkaCluster, KafkaClusterNode } from "../../infra/kafka-cluster.ts";
import type { LogLine } from "../../support/relay-process.ts";
import type { ScenarioContext } from "./scenario.ts";
import { PIPELINE_TOPIC, type StreamRow } from "./stream.ts";

/** The relay's log line when a partition's leader stops answering (once per partition outage). */
export const PARTITION_UNREACHABLE = "kafka partition unreachable; its rows wait, the other partitions keep flowing";

/** The relay's log line when no broker answers at all (the shared breaker opens). */
export const KAFKA_UNREACHABLE = "kafka unreachable; pipelines wait and nothing is marked FAILED";

export const isPartitionOutage = (line: LogLine): boolean => line.msg === PARTITION_UNREACHABLE;

/** The scenario's private cluster; throws for a scenario that did not ask for one. */
export function clusterOf(context: ScenarioContext): KafkaCluster {
  if (!context.cluster) throw new Error("this scenario needs a private cluster (privateCluster)");
  return context.cluster;
}

/** The scenario's topic names. */
export const topicsOf = (context: ScenarioContext): string[] => Object.values(context.setup.topics);

/** Each topic's partitions led by each node: { topic: { nodeId: [partitions] } }. */
export async function leadership(cluster: KafkaCluster, topics: readonly string[]): Promise<Record<string, Record<number, number[]>>> {
  const led: Record<string, Record<number, number[]>> = {};
  for (const topic of topics) {
    const byNode: Record<number, number[]> = {};
    for (const { partition, leader } of await cluster.partitions(topic)) byNode[leader] = [...(byNode[leader] ?? []), partition];
    led[topic] = byNode;
  }
  return led;
}

/**
 * The node leading the most partitions of `topics` (every topic of the scenario: the busiest are
 * the logs topic, which three pipelines write, and the event topics), and what it leads.
 */
export async function busiestLeader(cluster: KafkaCluster, topics: readonly string[]): Promise<{ node: KafkaClusterNode; leads: string }> {
  const led = await leadership(cluster, topics);
  const count = (id: number) => topics.reduce((sum, topic) => sum + (led[topic]?.[id]?.length ?? 0), 0);
  const node = cluster.nodes.reduce((best, candidate) => (count(candidate.id) > count(best.id) ? candidate : best));
  const total = topics.reduce((sum, topic) => sum + Object.values(led[topic] ?? {}).flat().length, 0);
  return { node, leads: `${count(node.id)} of ${total} partitions` };
}

/** Resolves once no partition of `topics` is led by `nodeId` (its leaderships moved to the others). */
export async function leadershipMovedFrom(cluster: KafkaCluster, topics: readonly string[], nodeId: number): Promise<void> {
  await Promise.all(topics.map((topic) => cluster.waitUntilNotLeading(topic, nodeId)));
}

/**
 * The partition of a row's record: murmur2(eventId) mod partitions for the event pipelines (their
 * records are keyed by eventId); undefined for the log pipelines, whose record per batch is keyed
 * `<prefix>-<nanoseconds>` and so lands wherever that key hashes.
 */
export function partitionOfRow(row: StreamRow, partitions: number): number | undefined {
  return PIPELINE_TOPIC[row.pipeline] === "logs" ? undefined : partitionOf(row.eventId, partitions);
}
