/**
 * GET /pipelines over real HTTP: what each instance runs, from which source into which sink and
 * declared where, whether it owns each pipeline (owned, standby, or shared for a source that
 * every instance runs), each pipeline's health with its last error, and its DLQ entries.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { type HoBomBackendDouble, type LlmBackendDouble, startHoBomBackend, startLlmBackend } from "../../support/backends/index.ts";
import { dlqClient } from "../../support/http-client.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { sqliteOutbox, type TestOutbox } from "../../support/sql-outbox.ts";

const MESSAGE_FIND = "/outbox.message.FindHoBomMessageOutboxController/FindOutboxByEventTypeAndStatusUseCase";
const dir = mkdtempSync(join(tmpdir(), "pipelines-api-"));
let hobom: HoBomBackendDouble;
let llm: LlmBackendDouble;
let privateRedis: RedisInstance;
let outbox: TestOutbox;
let setup: RelayTestSetup;
let owner: RelayProcess;

beforeAll(async () => {
  [hobom, llm, privateRedis, outbox] = await Promise.all([
    startHoBomBackend({ apiKey: TEST_API_KEY }),
    startLlmBackend({ apiKey: TEST_API_KEY }),
    startRedisServer(),
    sqliteOutbox(),
  ]);
  const file = join(dir, "pipelines.yaml");
  writeFileSync(
    file,
    `pipelines:\n  - name: orders\n    source:\n      kind: sql-outbox\n      dialect: sqlite\n      path: ${outbox.location}\n      table: ${outbox.table}\n    sink:\n      kind: kafka\n`,
  );
  setup = relayTestSetup({ hobom, llm, redisUrl: privateRedis.url, overrides: { HOBOM_PIPELINES_FILE: file, HOBOM_INSTANCE_ID: "owner-1" } });
  owner = await startRelayProcess(setup.env);
  await eventually(
    async () => (await dlqClient(owner).pipelines()).body.pipelines.find((pipeline: { name: string }) => pipeline.name === "message")?.state === "owned",
  );
});

afterAll(async () => {
  await killAllRelays();
  hobom?.stop();
  llm?.stop();
  await outbox?.drop();
  await privateRedis?.kill();
  rmSync(dir, { recursive: true, force: true });
});

const pipelinesOf = async (relay: RelayProcess) => {
  const answer = await dlqClient(relay).pipelines();
  expect(answer.status).toBe(200);
  return answer.body as { instance: string; pipelines: { name: string; [field: string]: unknown }[] };
};

describe("GET /pipelines", () => {
  test("lists what this instance runs: kinds, where it is declared, its DLQ prefix, ownership, health and DLQ entries", async () => {
    const answer = await pipelinesOf(owner);
    expect(answer.instance).toBe("owner-1");
    expect(answer.pipelines.map((pipeline) => pipeline.name)).toEqual(["message", "log", "law", "orders"]);
    const byName = Object.fromEntries(answer.pipelines.map((pipeline) => [pipeline.name, pipeline]));
    expect(byName.message).toEqual({
      name: "message",
      source: "grpc-outbox",
      sink: "kafka",
      declared: "built-in",
      dlqPrefix: `${setup.namespace}dlq:menu:`,
      state: "owned",
      health: "healthy",
      lastError: null,
      dlqEntries: 0,
    });
    expect(byName.law).toMatchObject({ source: "grpc-outbox", sink: "study-material", declared: "built-in", dlqPrefix: `${setup.namespace}dlq:law:` });
    expect(byName.orders).toMatchObject({
      source: "sql-outbox",
      sink: "kafka",
      declared: "HOBOM_PIPELINES_FILE",
      dlqPrefix: `${setup.namespace}dlq:orders:`,
      state: "shared",
    });
  });

  test("a second instance stands by for the leased pipelines and shares the shared one", async () => {
    const standby = await startRelayProcess({ ...setup.env, HOBOM_INSTANCE_ID: "standby-1" });
    const answer = await pipelinesOf(standby);
    expect(answer.instance).toBe("standby-1");
    expect(Object.fromEntries(answer.pipelines.map((pipeline) => [pipeline.name, pipeline.state]))).toEqual({
      message: "standby",
      log: "standby",
      law: "standby",
      orders: "shared",
    });
    await standby.kill();
  });

  test("a pipeline whose cycles fail is failing with their error until one succeeds; its DLQ entries are counted", async () => {
    hobom.faults.fail(MESSAGE_FIND, { code: grpc.status.UNAVAILABLE, message: "outbox database is down", times: Number.POSITIVE_INFINITY });
    let message: Record<string, unknown> | undefined;
    await eventually(async () => {
      message = (await pipelinesOf(owner)).pipelines.find((pipeline) => pipeline.name === "message");
      return message?.health === "failing";
    });
    expect(String(message?.lastError)).toContain("outbox database is down");
    hobom.faults.clear();
    const row = hobom.messages.add({ payload: null });
    await eventually(() => row.status === "FAILED");
    await eventually(async () => {
      message = (await pipelinesOf(owner)).pipelines.find((pipeline) => pipeline.name === "message");
      return message?.health === "healthy";
    });
    expect(message).toMatchObject({ health: "healthy", lastError: null, dlqEntries: 1 });
  });

  test("still answers while Redis cannot be reached, without the DLQ counts", async () => {
    await privateRedis.kill();
    const answer = await pipelinesOf(owner);
    expect(answer.pipelines.map((pipeline) => pipeline.dlqEntries)).toEqual([null, null, null, null]);
  });
});
