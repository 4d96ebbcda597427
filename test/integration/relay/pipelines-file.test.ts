/**
 * HOBOM_PIPELINES_FILE with the relay as operators run it: a pipeline declared in YAML beside the
 * built-in ones polls a second backend that speaks the message outbox contract, writes to the topic,
 * key and headers its mapping names, dead-letters under its own prefix (listed and deleted through
 * the same API), and a bad file stops the start and check-config with the line of each problem.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { DLQ_BASE, http } from "../../support/http-client.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { eventually, relayTestSetup, TEST_API_KEY, TEST_INTERNAL_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";

const FIND = "outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase";
const MARK = "outbox.message.PatchOutboxController";
const ORDERS_KEY = "orders-backend-key";
let hobom: HoBomBackendDouble;
let orders: HoBomBackendDouble;
let dir: string;

beforeAll(async () => {
  [hobom, orders] = await Promise.all([startHoBomBackend({ apiKey: TEST_API_KEY }), startHoBomBackend({ apiKey: ORDERS_KEY })]);
  dir = mkdtempSync(join(tmpdir(), "pipelines-file-"));
});
afterEach(async () => {
  await killAllRelays();
  hobom.reset();
  orders.reset();
});
afterAll(() => {
  hobom.stop();
  orders.stop();
  rmSync(dir, { recursive: true, force: true });
});

function pipelinesFile(topic: string): string {
  const path = join(dir, `${uniqueName("pipelines")}.yaml`);
  writeFileSync(
    path,
    `pipelines:
  - name: orders
    source:
      kind: grpc-outbox
      address: \${ORDERS_ADDR}
      apiKey: \${ORDERS_API_KEY}
      backend: orders-backend
      find: ${FIND}
      mark: ${MARK}
      eventTypes: [MESSAGE]
    sink:
      kind: kafka
    mapping:
      topic: ${topic}
      key: order-\${payload.id}
      headers:
        event-id: \${eventId}
        event-type: \${eventType}
        recipient: \${payload.recipient}
      value: hobom.message
`,
  );
  return path;
}

describe("a pipeline declared in a file", () => {
  test("delivers beside the built-in pipelines, with its mapping's topic, key, headers and value, and marks on its own backend", async () => {
    const topic = uniqueName("orders");
    const setup = relayTestSetup({ hobom, overrides: { HOBOM_PIPELINES_FILE: pipelinesFile(topic), ORDERS_ADDR: orders.address, ORDERS_API_KEY: ORDERS_KEY } });
    await createTopics(testbedEnv().kafkaBrokers, [...Object.values(setup.topics), topic]);
    const builtIn = hobom.messages.add({ payload: messagePayload() });
    const order = orders.messages.add({ payload: messagePayload({ id: "o-17", recipient: "ada@example.com", title: "Your order" }) });
    const relay = await startRelayProcess(setup.env);
    await eventually(() => builtIn.status === "SENT" && order.status === "SENT");
    const [record] = await readTopic(testbedEnv().kafkaBrokers, topic);
    expect(record?.key).toBe("order-o-17");
    expect(record?.headers).toEqual({ "event-id": order.eventId, "event-type": "MESSAGE", recipient: "ada@example.com" });
    // hobom.message: the Go processor's exact JSON, as the built-in message pipeline writes it.
    expect(record?.value).toMatch(
      /^\{"type":"MAIL_MESSAGE","title":"Your order","body":"Hello from HoBom","recipient":"ada@example.com","senderId":"sender-1","sentAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}$/,
    );
    expect((await readTopic(testbedEnv().kafkaBrokers, setup.topics.messages)).map((item) => item.key)).toEqual([builtIn.eventId]);
    // The second backend got its own marks, with its own key; the first none of them.
    expect(orders.calls.count("PatchOutboxMarkAsSentUseCase")).toBe(1);
    expect(hobom.calls.count("PatchOutboxMarkAsSentUseCase")).toBe(1);
    const started = relay.logs.find((line) => line.msg === "hobom-event-processor started");
    expect(started?.pipelines).toEqual(["message", "log", "orders"]);
    const health = (await (await fetch(`${relay.httpUrl}/health`)).json()) as { components: Record<string, unknown> };
    expect(Object.keys(health.components)).toContain("orders-backend");
  });

  test("dead-letters under its own prefix; the API lists, reads and deletes those entries", async () => {
    const topic = uniqueName("orders");
    const setup = relayTestSetup({ hobom, overrides: { HOBOM_PIPELINES_FILE: pipelinesFile(topic), ORDERS_ADDR: orders.address, ORDERS_API_KEY: ORDERS_KEY } });
    await createTopics(testbedEnv().kafkaBrokers, [...Object.values(setup.topics), topic]);
    const broken = orders.messages.add({ payload: null });
    const relay = await startRelayProcess(setup.env);
    await eventually(() => broken.status === "FAILED");
    const api = (method: string, path: string) => http(relay.httpUrl, method, `${DLQ_BASE}${path}`, { apiKey: TEST_INTERNAL_API_KEY });
    const key = `${setup.namespace}dlq:orders:${broken.eventId}`;
    expect((await api("GET", `/dlq?prefix=${encodeURIComponent(`${setup.namespace}dlq:orders:`)}`)).body.items).toEqual([key]);
    const read = await api("GET", `/dlq/${key}`);
    expect(read.body.meta).toMatchObject({ pipeline: "orders", eventId: broken.eventId, replayable: false });
    expect((await api("POST", `/dlq/retry/${key}`)).status).toBe(422);
    expect((await api("DELETE", `/dlq/${key}`)).status).toBe(200);
  });
});

describe("a pipelines file with problems", () => {
  const badFile = () => {
    const path = join(dir, `${uniqueName("bad")}.yaml`);
    writeFileSync(
      path,
      `pipelines:\n  - name: orders\n    source:\n      kind: grpc-outbox\n      address: \${ORDERS_ADDR}\n      apiKey: k\n      find: ${FIND}\n      mark: ${MARK}\n      eventTypes: [MESSAGE]\n    sink:\n      kind: kafak\n`,
    );
    return path;
  };

  test("stops the start with exit code 2 and one line per problem, naming file, line, key and what is accepted", async () => {
    const path = badFile();
    const setup = relayTestSetup({ hobom, overrides: { HOBOM_PIPELINES_FILE: path } });
    const child = Bun.spawn([process.execPath, resolve(import.meta.dir, "../../../src/main.ts")], {
      env: { PATH: process.env.PATH ?? "", ...setup.env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path}:5: pipelines[0].source.address: refers to \${ORDERS_ADDR}, which is not set in the environment`);
    expect(stderr).toContain(`${path}:11: pipelines[0].sink.kind: "kafak" is not one of kafka`);
    expect(stderr).not.toContain("    at ");
  });

  test("fails check-config with the same lines and exit code 1", async () => {
    const path = badFile();
    const setup = relayTestSetup({ hobom, overrides: { HOBOM_PIPELINES_FILE: path } });
    const child = Bun.spawn([process.execPath, resolve(import.meta.dir, "../../../src/main.ts"), "check-config"], {
      env: { PATH: process.env.PATH ?? "", ...setup.env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${path}:11: pipelines[0].sink.kind`);
  });
});
