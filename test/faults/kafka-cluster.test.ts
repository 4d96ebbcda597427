/**
 * Fault suite on a private 3-node Kafka cluster (never the shared one): the scenarios of
 * support/cluster-scenarios.ts, one after the other on one cluster, which each scenario gives back
 * with every node running and its own topics deleted. Leaders crash, hang or stop; a topic has one
 * replica; a record is refused on one partition; a topic is missing; the relay is stopped while no
 * broker answers. Nothing may be lost or dead-lettered for it, and duplicates stay in each
 * scenario's bound.
 */
import { afterAll, beforeAll, test } from "bun:test";
import type { KafkaCluster } from "../infra/kafka-cluster.ts";
import { CLUSTER_SCENARIOS } from "./support/cluster-scenarios.ts";
import { expectScenarioHeld } from "./support/expect.ts";
import { startFaultCluster } from "./support/kafka-target.ts";
import { runScenario } from "./support/scenario.ts";

let cluster: KafkaCluster;

beforeAll(async () => {
  const started = performance.now();
  cluster = await startFaultCluster();
  console.log(`private 3-node cluster started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 120_000);

afterAll(async () => {
  await cluster?.destroy();
});

for (const scenario of CLUSTER_SCENARIOS) {
  test(scenario.title, async () => {
    expectScenarioHeld(await runScenario(scenario, { cluster }));
  }, 180_000);
}
