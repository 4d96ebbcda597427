/**
 * `npm run demo`: the real relay against the test bed. Starts (or reuses) Kafka and Redis, starts
 * doubles of the four HoBom backends seeded with sample rows for every pipeline (a few broken on
 * purpose), runs the relay, shows events reaching Kafka, rows turning SENT and failures landing in
 * the DLQ, and prints curl commands for the API. Ctrl-C stops everything.
 */
import * as grpc from "@grpc/grpc-js";
import { Kafka, logLevel } from "kafkajs";
import {
  angelAccessLogPayload,
  angelApprovalPayload,
  angelFosterTerminatedPayload,
  lawChangedPayload,
  logPayload,
  messagePayload,
  spaceEventPayload,
  startAngelBackend,
  startHoBomBackend,
  startLlmBackend,
  startSpaceBackend,
} from "../support/backends/index.ts";
import { createTopics } from "../support/kafka-topics.ts";
import { relayTestSetup, TEST_API_KEY, TEST_INTERNAL_API_KEY } from "../support/relay-env.ts";
import { startRelayProcess } from "../support/relay-process.ts";
import { ensureTestbed, testbedEnvVars } from "./testbed.ts";

const testbed = await ensureTestbed();
Object.assign(process.env, testbedEnvVars(testbed));

const [hobom, space, angel, llm] = await Promise.all([
  startHoBomBackend({ apiKey: TEST_API_KEY }),
  startSpaceBackend({ apiKey: TEST_API_KEY }),
  startAngelBackend({ apiKey: TEST_API_KEY }),
  startLlmBackend({ apiKey: TEST_API_KEY }),
]);

// Sample rows for every pipeline…
for (let i = 1; i <= 3; i++) {
  hobom.messages.add({ payload: messagePayload({ title: `Welcome #${i}` }) });
  hobom.logs.add({ payload: logPayload({ traceId: `demo-trace-${i}` }) });
  space.spaceEvents.add({ payload: spaceEventPayload({ pageId: `900719925474099${i}` }) });
  space.logs.add({ payload: logPayload({ serviceType: "HOBOM_SPACE", traceId: `space-trace-${i}` }) });
  angel.outbox.add({ eventType: "HOBOM_LOG", payload: angelAccessLogPayload({ trace_id: `angel-trace-${i}` }) });
}
angel.outbox.add({ eventType: "ADOPTION_APPROVED", payload: angelApprovalPayload() });
angel.outbox.add({ eventType: "FOSTER_TERMINATED", payload: angelFosterTerminatedPayload() });
// …and a few that fail on purpose: no payload, and a law change whose three Generate attempts
// all fail (the law Find returns rows in insertion order, so this one meets the faults).
// EventIds are new each run: the demo keeps the Go key layout (no namespace) in the shared Redis,
// where an earlier run's delivery records would otherwise turn these rows into mark-only rows.
const run = Date.now().toString(36);
hobom.messages.add({ eventId: `demo-${run}-broken-message`, payload: null });
space.spaceEvents.add({ eventId: `demo-${run}-broken-space-event`, payload: null });
const failingLaw = hobom.laws.add({ eventId: `demo-${run}-llm-fails`, payload: lawChangedPayload({ diffId: `demo-diff-fails-${run}` }) });
llm.faults.fail("Generate", { code: grpc.status.UNAVAILABLE, times: 3 });
hobom.laws.add({ payload: lawChangedPayload({ diffId: `demo-diff-${run}` }) });

const setup = relayTestSetup({
  hobom,
  space,
  angel,
  llm,
  overrides: { HOBOM_POLL_INTERVAL_MS: "2000", HOBOM_REDIS_KEY_PREFIX: "", HOBOM_HTTP_ADDR: "127.0.0.1:8082" },
});
await createTopics(testbed.kafkaBrokers, Object.values(setup.topics));
const relay = await startRelayProcess(setup.env);
let shownLogs = 0;
const showRelayLogs = setInterval(() => {
  for (const line of relay.logs.slice(shownLogs)) {
    const { level, msg, time: _time, ...fields } = line;
    process.stdout.write(`relay  ${level.padEnd(5)} ${msg} ${JSON.stringify(fields)}\n`);
  }
  shownLogs = relay.logs.length;
}, 250);

const tail = new Kafka({ clientId: "demo-tail", brokers: testbed.kafkaBrokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `demo-${Date.now()}` });
await tail.connect();
await tail.subscribe({ topics: Object.values(setup.topics), fromBeginning: true });
await tail.run({
  eachMessage: async ({ topic, message }) => {
    const value = String(message.value);
    process.stdout.write(`kafka  ${topic}  key=${String(message.key)}  ${value.length > 160 ? `${value.slice(0, 160)}…` : value}\n`);
  },
});

const base = `${relay.httpUrl}/hobom-event-processor/internal/api/v1`;
process.stdout.write(`
hobom-event-processor demo
  Kafka   ${testbed.kafkaBrokers.join(",")} (log ${testbed.kafkaLogFile})
  Redis   ${testbed.redisUrl}
  doubles for-hobom-backend ${hobom.address}, hobom-space-backend ${space.address}, angel ${angel.address}, llm ${llm.address}
  relay   pid ${relay.pid}, HTTP ${relay.httpUrl}; topics ${Object.values(setup.topics).join(", ")}

Try:
  curl -s ${relay.httpUrl}/health
  curl -s -H 'x-api-key: ${TEST_INTERNAL_API_KEY}' ${base}/dlq
  curl -s -H 'x-api-key: ${TEST_INTERNAL_API_KEY}' ${base}/dlq/dlq:law:${failingLaw.eventId}
  curl -s -X POST -H 'x-api-key: ${TEST_INTERNAL_API_KEY}' ${base}/dlq/retry/dlq:law:${failingLaw.eventId}
  curl -s ${relay.httpUrl}/metrics | grep hobom_rows_total
Ctrl-C stops the demo (Kafka and Redis keep running for the next run; \`bun test/infra/testbed-cli.ts down\` stops them).

`);

const report = setInterval(() => {
  const tables = { message: hobom.messages, log: hobom.logs, law: hobom.laws, space: space.spaceEvents, "space-log": space.logs, angel: angel.outbox };
  const line = Object.entries(tables)
    .map(([name, table]) => `${name} ${table.byStatus("SENT").length}✓ ${table.byStatus("FAILED").length}✗ ${table.byStatus("PENDING").length}…`)
    .join("  ");
  process.stdout.write(`rows   ${line}\n`);
}, 5000);

const shutdown = async () => {
  clearInterval(report);
  clearInterval(showRelayLogs);
  await tail.disconnect().catch(() => {});
  const code = await relay.stop();
  for (const double of [hobom, space, angel, llm]) double.stop();
  process.stdout.write(`relay stopped with exit code ${code}\n`);
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
