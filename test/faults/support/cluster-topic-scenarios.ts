/**
 * Fault scenarios on a private 3-node cluster where one topic, not the brokers, is at fault: it
 * refuses some records (they exceed its max.message.bytes), or it does not exist (the cluster
 * creates none on demand). Only the records, or the pipeline, concerned may wait or be dead-lettered.
 */
import { parsePrometheus, sampleValue } from "../../support/http-client.ts";
import { inspectRedis } from "../../support/redis-inspect.ts";
import type { LogLine } from "../../support/relay-process.ts";
import type { Scenario, ScenarioContext } from "./scenario.ts";
import { nextLog, relay, within } from "./scenario-steps.ts";
import { PIPELINE_DLQ_PREFIX, type StreamRow } from "./stream.ts";

/** What the message topic takes at most, and what the oversized rows carry: the topic refuses them, not the relay. */
const TOPIC_MAX_MESSAGE_BYTES = 50_000;
const OVERSIZED_BYTES = 60_000;

export const clusterRecordRefused: Scenario = {
  id: "cluster-record-refused",
  title: "cluster: 50 records over their topic's max.message.bytes among 5,000 rows",
  // Every refusal is an answer: no send's outcome is unknown, so nothing may arrive twice.
  duplicates: "none",
  privateCluster: { topics: { messages: { partitions: 3, configs: { "max.message.bytes": String(TOPIC_MAX_MESSAGE_BYTES) } } } },
  overrides: {
    // The relay's own limit is above the rows, so that Kafka is the one to refuse them.
    HOBOM_KAFKA_MAX_MESSAGE_BYTES: "1000000",
    // kafkajs's own complaints (an OUT_OF_ORDER_SEQUENCE_NUMBER among them) are logged at debug.
    HOBOM_LOG_LEVEL: "debug",
  },
  oversized: { count: 50, bytes: OVERSIZED_BYTES },
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const refused = nextLog(relay(context, "relay-a"), (line) => line.msg === "event sent to the DLQ" && String(line.reason).includes("MESSAGE_TOO_LARGE"));
    context.faultBegins(`50 message rows of ${OVERSIZED_BYTES / 1000} KB come among the others; their topic takes ${TOPIC_MAX_MESSAGE_BYTES} B at most`);
    await refused;
    context.note("the relay dead-lettered the first of them");
    await context.stream.done;
    context.faultEnds("the last oversized row was created");
  },
  check(result) {
    const wedged = Object.entries(result.relayLogs).flatMap(([name, lines]) => lines.filter(mentions("OUT_OF_ORDER_SEQUENCE_NUMBER")).map(() => name));
    return wedged.length === 0 ? [] : [`${wedged.length} relay log lines mention OUT_OF_ORDER_SEQUENCE_NUMBER: a refusal wedged the producer's sequences`];
  },
};

export const clusterMissingTopic: Scenario = {
  id: "cluster-missing-topic",
  title: "cluster: the message pipeline's topic missing, then created",
  duplicates: "none",
  privateCluster: { absent: ["messages"] },
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const relayA = relay(context, "relay-a");
    const topic = context.setup.topics.messages;
    context.faultBegins(`topic ${topic} does not exist; the cluster creates none on demand`);
    const seen = await relayA.waitForLog((line) => line.pipeline === "message" && mentions(`topic ${topic} does not exist`)(line), 30_000);
    context.note(`the relay logged it: ${seen.msg}`);

    // Rows of the other pipelines, created from now on, must keep being delivered.
    const from = performance.now();
    await context.stream.created(Math.min(context.total, context.stream.rows.length + 1_000));
    const others = context.stream.rows.filter((row) => row.pipeline !== "message" && !row.bad && row.createdAt >= from);
    const othersFlowed = await within(5_000, () => others.every((row) => row.live.status === "SENT"));
    if (!othersFlowed)
      context.violation(
        `${others.filter((row) => row.live.status !== "SENT").length} of ${others.length} rows of the other pipelines not delivered while ${topic} was missing`,
      );

    await checkWaiting(context, topic);
    await context.createTopic("messages");
    context.faultEnds(`topic ${topic} created`);
  },
};

/** While the topic is missing: its rows wait untouched, health names the topic, and the breaker stays closed. */
async function checkWaiting(context: ScenarioContext, topic: string): Promise<void> {
  const relayA = relay(context, "relay-a");
  const messages = context.stream.rows.filter((row) => row.pipeline === "message");
  const good = messages.filter((row) => !row.bad);
  const notPending = good.filter((row) => row.live.status !== "PENDING");
  const dlq = await deadLettered(context, good);
  if (notPending.length > 0)
    context.violation(`${notPending.length} message rows with a payload left PENDING (e.g. ${notPending[0]?.live.status}) while ${topic} was missing`);
  if (dlq > 0) context.violation(`${dlq} message rows with a payload were dead-lettered while ${topic} was missing`);

  // README, HTTP API: /health is 503 while anything is unhealthy; /health/ready stays 200, "degraded",
  // for anything but Redis (taking the instance out of rotation would not create the topic).
  const health = await fetch(`${relayA.httpUrl}/health`);
  const component = ((await health.json()) as { components?: Record<string, { status: string; error?: string }> }).components?.[`kafka topic ${topic}`];
  const ready = await fetch(`${relayA.httpUrl}/health/ready`);
  const readiness = (await ready.json()) as { status?: string; degraded?: { name: string; error: string | null }[] };
  if (health.status !== 503) context.violation(`/health answered ${health.status}, not 503, while ${topic} was missing`);
  if (component?.status !== "unhealthy" || !component.error?.includes("pipelines waiting: message"))
    context.violation(`/health has no unhealthy component "kafka topic ${topic}" naming the message pipeline: ${JSON.stringify(component)}`);
  if (ready.status !== 200 || readiness.status !== "degraded" || !readiness.degraded?.some((entry) => entry.name === `kafka topic ${topic}`))
    context.violation(`/health/ready answered ${ready.status} ${JSON.stringify(readiness.status)} without "kafka topic ${topic}" among degraded`);
  const breaker = sampleValue(parsePrometheus(await (await fetch(`${relayA.httpUrl}/metrics`)).text()), "hobom_kafka_breaker_open");
  if (breaker !== 0) context.violation(`hobom_kafka_breaker_open is ${breaker}, not 0, while only ${topic} was missing`);

  const badFailed = messages.filter((row) => row.bad && row.live.status === "FAILED").length;
  context.finding(
    `while ${topic} was missing: ${good.length - notPending.length} of ${good.length} message rows with a payload PENDING, ${dlq} dead-lettered; ` +
      `${badFailed} of ${messages.length - good.length} without a payload dead-lettered; /health ${health.status}, /health/ready ${ready.status} ` +
      `${readiness.status}, with "kafka topic ${topic}": ${component?.error ?? "(absent)"}; hobom_kafka_breaker_open ${breaker}`,
  );
}

/** How many of `rows` have a DLQ entry. */
async function deadLettered(context: ScenarioContext, rows: readonly StreamRow[]): Promise<number> {
  const redis = inspectRedis(context.setup.env.HOBOM_REDIS_ADDR as string, context.setup.namespace);
  try {
    const keys = new Set(await redis.keys("dlq:*"));
    return rows.filter((row) => keys.has(`${context.setup.namespace}${PIPELINE_DLQ_PREFIX[row.pipeline]}${row.eventId}`)).length;
  } finally {
    redis.close();
  }
}

/** Whether a log line mentions `text` anywhere (message, error, fields). */
function mentions(text: string): (line: LogLine) => boolean {
  return (line) => JSON.stringify(line).includes(text);
}
