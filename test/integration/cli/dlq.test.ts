/**
 * `dlq show|retry|rm` and their errors against the real service: a relay process on the test bed,
 * entries it dead-lettered itself and entries written as the Go processor wrote them, the command
 * line run as its own process. `--json` prints exactly what the API answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { DLQ_BASE, http, writeGoEntry } from "../../support/http-client.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis, type RedisInspector } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY, TEST_INTERNAL_API_KEY } from "../../support/relay-env.ts";
import { freePort, killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";
import { HAS_SCRIPT, runCli, runCliInTerminal } from "./run-cli.ts";

const MESSAGE_VALUE = '{"type":"MAIL_MESSAGE","title":"t","body":"b","recipient":"r","senderId":"","sentAt":"2026-11-23T14:05:00Z"}';

let hobom: HoBomBackendDouble;
let setup: RelayTestSetup;
let relay: RelayProcess;
let redis: RedisInspector;
/** The command line's environment: this host's relay at HOBOM_HTTP_ADDR, the key in HOBOM_CLI_API_KEY. */
let cliEnv: Record<string, string>;

beforeAll(async () => {
  hobom = await startHoBomBackend({ apiKey: TEST_API_KEY });
  setup = relayTestSetup({ hobom });
  await createTopics(testbedEnv().kafkaBrokers, [setup.topics.messages]);
  relay = await startRelayProcess(setup.env);
  redis = inspectRedis(testbedEnv().redisUrl, setup.namespace);
  cliEnv = { HOBOM_HTTP_ADDR: relay.httpUrl.replace("http://", ""), HOBOM_CLI_API_KEY: TEST_INTERNAL_API_KEY };
}, 30_000);

afterAll(async () => {
  redis?.close();
  await killAllRelays();
  hobom?.stop();
});

const dlq = (...args: string[]) => runCli(["dlq", ...args], { env: cliEnv });
const goKey = (prefix = "dlq:menu:") => `${setup.namespace}${prefix}${crypto.randomUUID()}`;
/** An entry the relay dead-lettered itself (a row without payload), with its metadata. */
async function relayEntry(): Promise<string> {
  const row = hobom.messages.add({ payload: null });
  await eventually(() => row.status === "FAILED");
  return `${setup.namespace}dlq:menu:${row.eventId}`;
}
const apiText = async (method: string, key: string) =>
  (await http(relay.httpUrl, method, `${DLQ_BASE}/dlq/${encodeURIComponent(key)}`, { apiKey: TEST_INTERNAL_API_KEY })).text;

describe("dlq show", () => {
  test("prints an entry's metadata, then its payload pretty-printed", async () => {
    const key = await relayEntry();
    const shown = await dlq("show", key);
    expect({ code: shown.code, stderr: shown.stderr }).toEqual({ code: 0, stderr: "" });
    const lines = shown.stdout.split("\n");
    expect(lines[0]).toBe(`key:           ${key}`);
    expect(lines).toContain("pipeline:      message");
    expect(lines.find((line) => line.startsWith("reason:"))).toContain("has no payload");
    expect(lines).toContain("attempts:      1");
    expect(lines.find((line) => line.startsWith("expires:"))).toMatch(/^expires: +in 2d23h|^expires: +in 3d/);
    const payload = lines.slice(lines.indexOf("payload:") + 1).join("\n");
    expect(JSON.parse(payload)).toEqual(JSON.parse((await redis.get(key)) as string));
    expect(payload).toContain('\n  "eventId": ');
  });

  test("an entry the Go processor wrote has no metadata, and says so", async () => {
    const key = goKey();
    await writeGoEntry(redis, key, MESSAGE_VALUE);
    const shown = await dlq("show", key);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("metadata:  none: written by the Go processor (the value alone)\n");
    expect(shown.stdout).toEndWith(`payload:\n${JSON.stringify(JSON.parse(MESSAGE_VALUE), null, 2)}\n`);
  });

  test("--json prints exactly the API's answer", async () => {
    const key = await relayEntry();
    const shown = await dlq("show", key, "--json");
    expect(shown.code).toBe(0);
    // The API's text as it came; only expiresInSeconds moves between two requests (a second may pass).
    const fromApi = await apiText("GET", key);
    expect(shown.stdout).toBe(`${JSON.stringify(JSON.parse(shown.stdout))}\n`);
    const { expiresInSeconds: cliExpiry, ...cli } = JSON.parse(shown.stdout);
    const { expiresInSeconds: apiExpiry, ...direct } = JSON.parse(fromApi);
    expect(cli).toEqual(direct);
    expect(Math.abs(cliExpiry - apiExpiry)).toBeLessThanOrEqual(5);
  });
});

describe("dlq retry KEY", () => {
  test("publishes the entry, marks its row SENT, removes it and says so", async () => {
    const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
    const key = `${setup.namespace}dlq:menu:${row.eventId}`;
    await writeGoEntry(redis, key, MESSAGE_VALUE);
    const retried = await dlq("retry", key);
    expect(retried).toEqual({ code: 0, stdout: `retried ${key}: published; outbox row marked SENT; entry removed\n`, stderr: "" });
    expect(await redis.get(key)).toBeNull();
    expect(row.status).toBe("SENT");
    const records = (await readTopic(testbedEnv().kafkaBrokers, setup.topics.messages)).filter((record) => record.key === row.eventId);
    expect(records.map((record) => record.value)).toEqual([MESSAGE_VALUE]);
  });

  test("--json prints the API's answer; a failed retry is one line with the API's error and detail, exit 1, entry kept", async () => {
    const row = hobom.messages.add({ payload: messagePayload(), status: "FAILED" });
    const key = `${setup.namespace}dlq:menu:${row.eventId}`;
    await writeGoEntry(redis, key, MESSAGE_VALUE);
    const retried = await dlq("retry", key, "--json");
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toEqual({ message: "DLQ retried and removed from Redis", published: true, marked: "SENT" });

    const unmappable = await relayEntry();
    const refused = await dlq("retry", unmappable);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toStartWith("hobom-event-processor dlq retry: 422 not replayable: ");
    expect(refused.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(await redis.get(unmappable)).not.toBeNull();
  });
});

describe("dlq rm", () => {
  test("without a terminal and without --yes it refuses (exit 2) and the entry is kept", async () => {
    const key = goKey();
    await writeGoEntry(redis, key, MESSAGE_VALUE);
    const refused = await dlq("rm", key);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("stdin is not a terminal, so add --yes");
    expect(await redis.get(key)).toBe(MESSAGE_VALUE);
  });

  test("with --yes it deletes; a second time it is one line, 404 DLQ not found, exit 1", async () => {
    const key = await relayEntry();
    expect(await dlq("rm", key, "--yes")).toEqual({ code: 0, stdout: `deleted ${key}\n`, stderr: "" });
    expect(await redis.get(key)).toBeNull();
    expect(await dlq("rm", key, "--yes")).toEqual({ code: 1, stdout: "", stderr: "hobom-event-processor dlq rm: 404 DLQ not found\n" });
  });

  test.skipIf(!HAS_SCRIPT)("on a terminal it shows the entry, asks, and deletes only after yes", async () => {
    const key = await relayEntry();
    const declined = await runCliInTerminal(["dlq", "rm", key], "n\n", cliEnv);
    expect(declined.code).toBe(1);
    expect(declined.screen).toContain(`Delete ${key} (message entry, 1 attempt(s), reason: `);
    expect(declined.screen).toContain("not deleted");
    expect(await redis.get(key)).not.toBeNull();

    const confirmed = await runCliInTerminal(["dlq", "rm", key], "y\n", cliEnv);
    expect(confirmed.code).toBe(0);
    expect(confirmed.screen).toContain(`deleted ${key}`);
    expect(await redis.get(key)).toBeNull();
  });
});

describe("reaching the instance", () => {
  test("a wrong key exits 3 with the API's one line and where the key came from", async () => {
    const key = goKey();
    const refused = await runCli(["dlq", "show", key], { env: { ...cliEnv, HOBOM_CLI_API_KEY: "wrong" } });
    expect(refused).toEqual({
      code: 3,
      stdout: "",
      stderr: "hobom-event-processor dlq show: 401 unauthorized: missing or wrong x-api-key (sent the key from HOBOM_CLI_API_KEY)\n",
    });
    const none = await runCli(["dlq", "show", key], { env: { HOBOM_HTTP_ADDR: cliEnv.HOBOM_HTTP_ADDR as string } });
    expect(none.code).toBe(3);
    expect(none.stderr).toContain("(no api key: give --api-key-file FILE or set HOBOM_CLI_API_KEY)");
  });

  test("the key from --api-key-file or from HOBOM_INTERNAL_API_KEY, the address from --url", async () => {
    const key = goKey();
    await writeGoEntry(redis, key, MESSAGE_VALUE);
    const file = join(tmpdir(), `${uniqueName("api-key")}.txt`);
    writeFileSync(file, `${TEST_INTERNAL_API_KEY}\n`, { mode: 0o600 });
    const fromFile = await runCli(["dlq", "show", key, "--json", "--api-key-file", file, "--url", relay.httpUrl], { env: { HOBOM_CLI_API_KEY: "wrong" } });
    expect(fromFile.code).toBe(0);
    const fromServiceVariable = await runCli(["dlq", "show", key, "--json"], {
      env: { HOBOM_HTTP_ADDR: cliEnv.HOBOM_HTTP_ADDR as string, HOBOM_INTERNAL_API_KEY: TEST_INTERNAL_API_KEY },
    });
    expect(fromServiceVariable.code).toBe(0);
    expect(JSON.parse(fromServiceVariable.stdout).item).toEqual(JSON.parse(MESSAGE_VALUE));
  });

  test("no instance at the address exits 3 and says what it tried", async () => {
    const port = await freePort();
    const answer = await runCli(["dlq", "show", "dlq:menu:x"], { env: { HOBOM_HTTP_ADDR: `127.0.0.1:${port}`, HOBOM_CLI_API_KEY: "k" } });
    expect(answer.code).toBe(3);
    expect(answer.stderr).toStartWith(`hobom-event-processor dlq show: cannot reach http://127.0.0.1:${port}: `);
    expect(answer.stderr).toContain("ECONNREFUSED");
  });

  test("a key the API calls invalid is a usage mistake: exit 2 with the API's error and detail", async () => {
    const answer = await dlq("show", "not-a-dlq-key");
    expect(answer.code).toBe(2);
    expect(answer.stderr).toMatch(/^hobom-event-processor dlq show: 400 invalid key: .+\n$/);
  });
});

test("healthcheck needs only HOBOM_HTTP_ADDR: other variables, malformed or missing, do not matter", async () => {
  const answer = await runCli(["healthcheck"], { env: { HOBOM_HTTP_ADDR: cliEnv.HOBOM_HTTP_ADDR as string, HOBOM_KAFKA_ACKS: "maybe" } });
  expect(answer.code).toBe(0);
  expect(answer.stdout).toStartWith("200 ");
  const malformed = await runCli(["healthcheck"], { env: { HOBOM_HTTP_ADDR: "nowhere" } });
  expect(malformed).toEqual({
    code: 1,
    stdout: "",
    stderr: 'hobom-event-processor healthcheck: HOBOM_HTTP_ADDR: "nowhere" is not [host]:port (e.g. HOBOM_HTTP_ADDR=:8082)\n',
  });
});

test("the relay that served all of this logged no error", () => {
  expect(relay.logs.filter((line) => line.level === "error")).toEqual([]);
});
