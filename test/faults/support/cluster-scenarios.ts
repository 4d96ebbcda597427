/**
 * The fault scenarios that run on a private 3-node cluster, in the order kafka-cluster.test.ts and
 * the report run them, one cluster serving them all in turn (see kafka-target.ts).
 */
import { clusterBrokerStop, clusterLeaderKill, clusterLeaderPause } from "./cluster-leader-scenarios.ts";
import { clusterSingleReplicaNodeDown, clusterStopWhilePaused } from "./cluster-outage-scenarios.ts";
import { clusterMissingTopic, clusterRecordRefused } from "./cluster-topic-scenarios.ts";
import type { Scenario } from "./scenario.ts";

export const CLUSTER_SCENARIOS: readonly Scenario[] = [
  clusterLeaderKill,
  clusterLeaderPause,
  clusterBrokerStop,
  clusterSingleReplicaNodeDown,
  clusterRecordRefused,
  clusterMissingTopic,
  clusterStopWhilePaused,
];
