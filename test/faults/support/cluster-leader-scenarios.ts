/**
 * Fault scenarios on a private 3-node cluster (topics of 6 partitions, RF 3, min.insync.replicas 2):
 * the node that leads the most partitions crashes, hangs, or shuts down cleanly, while rows keep
 * coming. Its partitions' leadership moves to the other two; the relay must follow it without
 * losing a row or dead-lettering one for the outage.
 */
import { busiestLeader, clusterOf, leadershipMovedFrom, topicsOf } from "./cluster-steps.ts";
import type { Scenario } from "./scenario.ts";
import { at, midCycle } from "./scenario-steps.ts";

/** How long the paused leader stays frozen: well past its session timeout (3 s) and the ISR shrink. */
const PAUSE_MS = 15_000;

export const clusterLeaderKill: Scenario = {
  id: "cluster-leader-kill",
  title: "cluster: the busiest leader SIGKILLed, then restarted",
  // The send in flight to it when it died may have been appended (and replicated) unacknowledged.
  duplicates: "one batch",
  privateCluster: {},
  // Slow enough that rows still come while the node is away and while it starts again.
  ratePerSecond: 400,
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const cluster = clusterOf(context);
    const topics = topicsOf(context);
    await at(context, 0.15);
    const { node, leads } = await busiestLeader(cluster, topics);
    await midCycle(context);
    context.faultBegins(`node ${node.id} (leads ${leads}) SIGKILL`);
    await node.kill();
    await leadershipMovedFrom(cluster, topics, node.id);
    context.note("leadership moved to the other nodes; rows keep coming");
    await at(context, 0.45);
    context.note(`starting node ${node.id} again (same data)`);
    await node.start();
    context.faultEnds(`node ${node.id} serves again`);
  },
};

export const clusterLeaderPause: Scenario = {
  id: "cluster-leader-pause",
  title: "cluster: the busiest leader paused (SIGSTOP) for 15 s, then resumed",
  // A send in flight to it at the pause may be written when it thaws, its answer long given up on.
  duplicates: "one batch",
  privateCluster: {},
  overrides: { HOBOM_KAFKA_WRITE_TIMEOUT_MS: "2000" },
  // Rows keep coming for the 15 s of the pause and after it.
  rows: 5_000,
  ratePerSecond: 250,
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const cluster = clusterOf(context);
    const topics = topicsOf(context);
    await at(context, 0.1);
    const { node, leads } = await busiestLeader(cluster, topics);
    await midCycle(context);
    context.faultBegins(`node ${node.id} (leads ${leads}) SIGSTOP: its connections stay open, nothing answers`);
    const pausedAt = performance.now();
    node.pause();
    try {
      await leadershipMovedFrom(cluster, topics, node.id);
      context.note("the controller fenced the node; leadership moved to the other two");
      await Bun.sleep(Math.max(0, PAUSE_MS - (performance.now() - pausedAt)));
    } finally {
      node.resume();
    }
    context.faultEnds(`node ${node.id} SIGCONT after ${((performance.now() - pausedAt) / 1000).toFixed(1)} s`);
  },
};

export const clusterBrokerStop: Scenario = {
  id: "cluster-broker-stop",
  title: "cluster: the busiest leader stopped cleanly (SIGTERM), then started",
  // Controlled shutdown moves leadership before the node stops serving, so no send's outcome
  // should be unknown: expect 0. The bound asserted is still one batch: a produce request waiting
  // for its replicas when its partition's leadership moves is answered NOT_LEADER, though its
  // records may be on the new leader already.
  duplicates: "one batch",
  privateCluster: {},
  ratePerSecond: 400,
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const cluster = clusterOf(context);
    const topics = topicsOf(context);
    await at(context, 0.15);
    const { node, leads } = await busiestLeader(cluster, topics);
    await midCycle(context);
    context.faultBegins(`node ${node.id} (leads ${leads}) SIGTERM: controlled shutdown`);
    await node.stop();
    context.note(`node ${node.id} exited`);
    await leadershipMovedFrom(cluster, topics, node.id);
    context.note("no partition is led by it; rows keep coming");
    await at(context, 0.45);
    await node.start();
    context.faultEnds(`node ${node.id} serves again`);
  },
};
