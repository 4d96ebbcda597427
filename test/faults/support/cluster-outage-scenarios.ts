/**
 * Fault scenarios on a private 3-node cluster where part or all of Kafka is gone for a while: a
 * node of RF-1 topics (its partitions have no other copy, so they wait while the others must keep
 * flowing), and every node frozen while the relay is told to stop.
 */
import { busiestLeader, clusterOf, isPartitionOutage, leadership, partitionOfRow, topicsOf } from "./cluster-steps.ts";
import { CLUSTER_PARTITIONS } from "./kafka-target.ts";
import type { Scenario, ScenarioContext } from "./scenario.ts";
import { at, markSentCalls, midCycle, nextLog, relay, within } from "./scenario-steps.ts";
import { PIPELINE_TOPIC, type StreamRow } from "./stream.ts";

/** How long the RF-1 node stays down. */
const RF1_OUTAGE_MS = 20_000;
/** How long rows on live partitions may take to be delivered (a few cycles) before it counts as "not flowing". */
const FLOW_GRACE_MS = 5_000;
/** The shutdown timeout the relay gets while no broker answers, and the slack its exit may take beyond it. */
const SHUTDOWN_TIMEOUT_MS = 5_000;
const EXIT_SLACK_MS = 1_000;

export const clusterSingleReplicaNodeDown: Scenario = {
  id: "cluster-rf1-node-down",
  title: "cluster, RF 1: one node SIGKILLed for 20 s, then started; the other partitions keep flowing",
  // The sends in flight to it when it died may have been appended unacknowledged.
  duplicates: "one batch",
  privateCluster: { replicationFactor: 1 },
  // 24 s of rows: they keep coming through the 20 s outage.
  rows: 6_000,
  ratePerSecond: 250,
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const cluster = clusterOf(context);
    const topics = topicsOf(context);
    await at(context, 0.1);
    const { node, leads } = await busiestLeader(cluster, topics);
    const led = await leadership(cluster, topics);
    const onDeadNode = (row: StreamRow) =>
      led[context.setup.topics[PIPELINE_TOPIC[row.pipeline]]]?.[node.id]?.includes(partitionOfRow(row, CLUSTER_PARTITIONS) ?? -1);
    const outage = nextLog(relay(context, "relay-a"), isPartitionOutage);
    await midCycle(context);
    context.faultBegins(`node ${node.id} (leads ${leads}; the only copy of each) SIGKILL`);
    const killed = { at: performance.now() };
    await node.kill();
    await outage;
    context.note("the relay saw its partitions go");
    await Bun.sleep(Math.max(0, RF1_OUTAGE_MS - (performance.now() - killed.at)));

    // Every row that has a payload, created during the outage and bound for a partition that lives,
    // must be delivered before the node is back: wait a few cycles for the latest of them.
    const during = context.stream.rows.filter((row) => row.createdAt >= killed.at && !row.bad);
    const live = during.filter((row) => partitionOfRow(row, CLUSTER_PARTITIONS) !== undefined && !onDeadNode(row));
    const flowed = await within(FLOW_GRACE_MS, () => live.every((row) => row.live.status === "SENT"));
    const logRows = during.filter((row) => partitionOfRow(row, CLUSTER_PARTITIONS) === undefined);
    const logSent = logRows.filter((row) => row.live.status === "SENT").length;
    const liveSent = live.filter((row) => row.live.status === "SENT").length;
    const waiting = during.filter((row) => onDeadNode(row) && row.live.status === "PENDING").length;
    context.finding(
      `while node ${node.id} was down: ${liveSent} of ${live.length} event rows bound for live partitions delivered, ` +
        `${logSent} of ${logRows.length} log rows delivered, ${waiting} event rows of its partitions waiting`,
    );
    if (!flowed) context.violation(`${live.length - liveSent} event rows bound for live partitions were not delivered while node ${node.id} was down`);
    if (logSent === 0) context.violation(`no log row was delivered in the ${RF1_OUTAGE_MS / 1000} s node ${node.id} was down`);

    context.note(`starting node ${node.id} again (same data)`);
    await node.start();
    context.faultEnds(`node ${node.id} serves again after ${((performance.now() - killed.at) / 1000).toFixed(1)} s`);
  },
};

export const clusterStopWhilePaused: Scenario = {
  id: "cluster-sigterm-paused",
  title: "cluster: every node paused, the relay SIGTERMed; nodes resumed, a new instance started",
  // The delivery in flight at the pause may have been written and is sent again by the new instance.
  duplicates: "one batch",
  privateCluster: {},
  overrides: { HOBOM_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) },
  rows: 5_000,
  ratePerSecond: 300,
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const cluster = clusterOf(context);
    await at(context, 0.25);
    await midCycle(context);
    context.faultBegins("all three nodes SIGSTOP: no broker answers, connections stay open");
    for (const node of cluster.nodes) node.pause();
    try {
      await stalled(context, 500);
      context.note("the relay marks nothing any more; SIGTERM");
      const stopping = performance.now();
      const code = await relay(context, "relay-a").stop();
      const tookMs = performance.now() - stopping;
      context.finding(`relay-a exited with ${code} ${(tookMs / 1000).toFixed(2)} s after SIGTERM (HOBOM_SHUTDOWN_TIMEOUT_MS ${SHUTDOWN_TIMEOUT_MS})`);
      if (tookMs > SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS)
        context.violation(`relay-a took ${Math.round(tookMs)} ms to exit after SIGTERM, over ${SHUTDOWN_TIMEOUT_MS} + ${EXIT_SLACK_MS} ms`);
    } finally {
      for (const node of cluster.nodes) node.resume();
    }
    context.note("nodes resumed");
    // Unfrozen together, the nodes fence and re-register one another for a moment.
    await Promise.all(topicsOf(context).map((topic) => cluster.waitForFullIsr(topic)));
    context.note("every partition has its leader and a full ISR again");
    await context.startRelay("relay-b");
    context.faultEnds("relay-b runs");
  },
};

/** Resolves once no backend received a MarkSent for `quietMs`: the relay's deliveries hang. */
async function stalled(context: ScenarioContext, quietMs: number, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let seen = markSentCalls(context);
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    if (performance.now() > deadline) throw new Error(`the relay kept marking rows SENT for ${timeoutMs} ms with every node paused`);
    await Bun.sleep(20);
    const now = markSentCalls(context);
    if (now !== seen) [seen, since] = [now, performance.now()];
  }
}
