/**
 * The dlq commands built on the searchable DLQ, bulk retry jobs and the audit trail, against the
 * real service: `dlq ls` with filters and pages, a bulk `dlq retry` (dry run, confirmation, a job
 * followed to its end, Ctrl-C and following again, cancel), `dlq jobs` and `dlq audit`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { DLQ_BASE, http, writeGoEntry } from "../../support/http-client.ts";
import { createTopics } from "../../support/kafka-topics.ts";
import { inspectRedis, type RedisInspector } from "../../support/redis-inspect.ts";
import { eventually, type RelayTestSetup, relayTestSetup, TEST_API_KEY, TEST_INTERNAL_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";
import { MAIN, runCli } from "./run-cli.ts";

const MESSAGE_VALUE = '{"type":"MAIL_MESSAGE","title":"t","body":"b","recipient":"r","senderId":"","sentAt":"2026-11-23T14:05:00Z"}';

let hobom: HoBomBackendDouble;
let setup: RelayTestSetup;
let ns: string;
let relay: RelayProcess;
let redis: RedisInspector;
let cliEnv: Record<string, string>;

beforeAll(async () => {
  hobom = await startHoBomBackend({ apiKey: TEST_API_KEY });
  setup = relayTestSetup({ hobom });
  ns = setup.namespace;
  await createTopics(testbedEnv().kafkaBrokers, [setup.topics.messages]);
  redis = inspectRedis(testbedEnv().redisUrl, ns);
});

/**
 * The relay, started after the test wrote its Go-format entries: the index backfill at start is
 * how entries the Go processor wrote become searchable.
 */
async function startRelay(): Promise<void> {
  relay = await startRelayProcess(setup.env);
  await relay.waitForLog((line) => line.msg === "DLQ index backfilled");
  cliEnv = { HOBOM_HTTP_ADDR: relay.httpUrl.replace("http://", ""), HOBOM_CLI_API_KEY: TEST_INTERNAL_API_KEY };
}

afterEach(async () => {
  await killAllRelays();
  hobom.reset();
  // Each test starts from an empty DLQ, no job and no audit trail in this file's namespace.
  const keys = [...(await redis.keys("dlq*")), ...(await redis.keys("sent:*")), ...(await redis.keys("audit"))];
  if (keys.length === 0) return;
  const client = new RedisClient(testbedEnv().redisUrl);
  try {
    await client.send("DEL", keys);
  } finally {
    client.close();
  }
});

afterAll(async () => {
  redis?.close();
  await killAllRelays();
  hobom?.stop();
});

const dlq = (...args: string[]) => runCli(["dlq", ...args], { env: cliEnv });
const api = (method: string, path: string) => http(relay.httpUrl, method, `${DLQ_BASE}${path}`, { apiKey: TEST_INTERNAL_API_KEY });

/** An entry the relay dead-lettered itself (a row without payload: not replayable). */
async function unmappableEntry(): Promise<string> {
  const row = hobom.messages.add({ payload: null });
  await eventually(() => row.status === "FAILED");
  return `${ns}dlq:menu:${row.eventId}`;
}

/** Go-format entries of FAILED rows (written before the relay starts): a retry publishes them and marks their rows SENT. */
async function replayableEntries(count: number) {
  const rows = Array.from({ length: count }, () => hobom.messages.add({ payload: messagePayload(), status: "FAILED" }));
  for (const row of rows) await writeGoEntry(redis, `${ns}dlq:menu:${row.eventId}`, MESSAGE_VALUE);
  return rows;
}

describe("dlq ls", () => {
  test("lists entries with their pipeline, attempts, last failure and reason; filters by reason, any case", async () => {
    const [row] = await replayableEntries(1);
    await startRelay();
    const [a, b] = [await unmappableEntry(), await unmappableEntry()];
    const listed = await dlq("ls", "--prefix", `${ns}dlq:menu:`);
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: "" });
    const lines = listed.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^KEY +PIPELINE +ATTEMPTS +LAST FAILURE +REASON$/);
    expect(lines.find((line) => line.startsWith(a))).toMatch(/ message +1 +\d+s ago +MESSAGE row /);
    expect(lines.find((line) => line.startsWith(b))).toBeDefined();
    // The Go processor's entry: no metadata, its last failure estimated from its TTL (~); the reason column is cut to 120 columns.
    expect(lines.find((line) => line.startsWith(`${ns}dlq:menu:${row?.eventId}`))).toMatch(/ message +0 +~\d+s ago +\(no metadata/);
    expect(lines.at(-1)).toBe("3 of 3 matched");

    const filtered = await dlq("ls", "--pipeline", "message", "--reason", "HAS NO PAYLOAD");
    expect(filtered.stdout.trimEnd().split("\n").at(-1)).toBe("2 of 2 matched");
    const none = await dlq("ls", "--pipeline", "message", "--older-than", "1h");
    expect(none.stdout).toBe("no entry matches\n");
  });

  test("--json is exactly the API's answer; --limit pages with a printed next-page command that works", async () => {
    await startRelay();
    await unmappableEntry();
    await unmappableEntry();
    const json = await dlq("ls", "--reason", "no payload", "--json");
    const fromApi = (await api("GET", "/dlq/entries?reason=no+payload")).text;
    // The API's text as it came (compact, its own field order); only expiresAt moves between two
    // requests (now + the entry's remaining TTL), so it is compared apart, to the second.
    expect(json.stdout).toBe(`${JSON.stringify(JSON.parse(json.stdout))}\n`);
    const withoutExpiry = (text: string) =>
      (JSON.parse(text).items as { expiresAt: string }[]).map(({ expiresAt, ...rest }) => [rest, Date.parse(expiresAt)] as const);
    const [cli, direct] = [withoutExpiry(json.stdout), withoutExpiry(fromApi)];
    expect(cli.map(([rest]) => rest)).toEqual(direct.map(([rest]) => rest));
    expect(cli.map(([, at], index) => Math.abs(at - (direct[index]?.[1] as number)) < 5000)).toEqual(cli.map(() => true));
    expect(JSON.parse(json.stdout)).toMatchObject({ matched: 2, nextCursor: null });
    const first = await dlq("ls", "--reason", "no payload", "--limit", "1");
    const footer = first.stdout.trimEnd().split("\n").at(-1) as string;
    expect(footer).toMatch(/^1 of 2 matched; next page: hobom-event-processor dlq ls --reason 'no payload' --limit 1 --cursor \S+$/);
    const cursor = (footer.split("--cursor ").at(-1) as string).replace(/^'|'$/g, "");
    const second = await dlq("ls", "--reason", "no payload", "--limit", "1", "--cursor", cursor);
    expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: "" });
    expect(second.stdout.trimEnd().split("\n").at(-1)).toBe("1 of 2 matched");
    expect(second.stdout.split("\n")[1]?.split(" ")[0]).not.toBe(first.stdout.split("\n")[1]?.split(" ")[0]);
  });

  test("a prefix the instance does not know is the API's 400, one line, exit 2", async () => {
    await startRelay();
    const answer = await dlq("ls", "--prefix", "dlq:nope:");
    expect(answer.code).toBe(2);
    expect(answer.stderr).toStartWith("hobom-event-processor dlq ls: 400 invalid prefix: ");
    expect(answer.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("a bulk dlq retry", () => {
  test("--dry-run lists what it would retry and changes nothing", async () => {
    const rows = await replayableEntries(2);
    await startRelay();
    const dry = await dlq("retry", "--prefix", `${ns}dlq:menu:`, "--dry-run");
    expect({ code: dry.code, stderr: dry.stderr }).toEqual({ code: 0, stderr: "" });
    expect(dry.stdout.trimEnd().split("\n").at(-1)).toBe(`dry run: 2 entries would be retried (2 matched prefix ${ns}dlq:menu:); nothing was changed`);
    for (const row of rows) expect(await redis.get(`${ns}dlq:menu:${row.eventId}`)).toBe(MESSAGE_VALUE);
    expect(rows.map((row) => row.status)).toEqual(["FAILED", "FAILED"]);
  });

  test("without a terminal and without --yes it starts no job", async () => {
    await replayableEntries(1);
    await startRelay();
    expect((await dlq("retry", "--pipeline", "message")).code).toBe(2);
    expect((await api("GET", "/dlq/jobs")).body.items).toEqual([]);
  });

  test("with --yes it starts a job, follows it to the end and exits 0: every row SENT, every entry gone", async () => {
    const rows = await replayableEntries(3);
    await startRelay();
    const run = await dlq("retry", "--pipeline", "message", "--yes", "--rate", "50");
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^started job (\S+): 3 entries to retry; following it/);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toMatch(/^job \S+ succeeded: done 3, failed 0, remaining 0 of 3; every entry was retried$/);
    expect(rows.map((row) => row.status)).toEqual(["SENT", "SENT", "SENT"]);
    expect(await redis.keys("dlq:menu:*")).toEqual([]);
  });

  test("a job where some entries fail exits 1 and lists each failed entry with the API's error; --json is the job", async () => {
    await replayableEntries(1);
    await startRelay();
    const bad = await unmappableEntry();
    const run = await dlq("retry", "--pipeline", "message", "--yes");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("partial: done 1, failed 1, remaining 0 of 2");
    expect(run.stdout).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +422 +not replayable`));
    const json = await dlq("retry", "--pipeline", "message", "--yes", "--json");
    expect(json.code).toBe(1);
    const job = JSON.parse(json.stdout);
    expect(job).toMatchObject({ state: "failed", total: 1, failed: 1 });
    expect(json.stdout).toBe(`${(await api("GET", `/dlq/jobs/${job.id}`)).text}\n`);
  });

  test("Ctrl-C stops following, not the job; dlq job follows it again, --cancel stops it, dlq jobs lists it", async () => {
    await replayableEntries(6);
    await startRelay();
    const child = Bun.spawn([process.execPath, MAIN, "dlq", "retry", "--pipeline", "message", "--yes", "--rate", "1"], {
      env: { PATH: process.env.PATH ?? "", ...cliEnv },
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = child.stdout.getReader();
    let seen = "";
    while (!/started job (\S+):/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the command ended before starting a job: ${seen}`);
      seen += new TextDecoder().decode(value);
    }
    const id = (/started job (\S+):/.exec(seen) as RegExpExecArray)[1] as string;
    child.kill("SIGINT");
    reader.releaseLock();
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    expect(code).toBe(130);
    expect(stderr).toBe(
      `stopped following job ${id}; it goes on on the instance\n  follow it again: hobom-event-processor dlq job ${id}\n  cancel it:       hobom-event-processor dlq job ${id} --cancel\n`,
    );
    expect((await api("GET", `/dlq/jobs/${id}`)).body.state).toBe("running");

    const once = await dlq("job", id, "--no-follow");
    expect(once.stdout).toMatch(new RegExp(`^job ${id} running: done \\d, failed 0, remaining \\d of 6\\n$`));
    const cancelled = await dlq("job", id, "--cancel");
    expect({ code: cancelled.code, stderr: cancelled.stderr }).toEqual({ code: 0, stderr: "" });
    expect(cancelled.stdout).toContain(`job ${id} cancelled: `);
    const listed = await dlq("jobs");
    expect(listed.stdout.split("\n").find((line) => line.startsWith(id))).toMatch(/ cancelled /);
    const followed = await dlq("job", id);
    expect(followed.code).toBe(1);
    expect(followed.stdout).toContain("cancelled; the entries not retried are still in the DLQ");
  }, 30_000);
});

test("dlq audit shows who deleted and retried what, newest first; --json is the API's answer", async () => {
  await startRelay();
  const key = await unmappableEntry();
  expect((await dlq("rm", key, "--yes")).code).toBe(0);
  expect((await dlq("retry", key)).code).toBe(1);
  const audit = await dlq("audit", "--limit", "5");
  expect({ code: audit.code, stderr: audit.stderr }).toEqual({ code: 0, stderr: "" });
  const lines = audit.stdout.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^AT +ACTOR +ACTION +OUTCOME +STATUS +TARGET +DETAIL$/);
  const rows = lines.filter((line) => line.includes(key));
  expect(rows[0]).toMatch(/ dlq\.retry +failed +404 /);
  expect(rows[1]).toMatch(/ dlq\.delete +ok +200 /);
  const json = await dlq("audit", "--limit", "1", "--json");
  expect(json.stdout).toBe(`${(await api("GET", "/audit?limit=1")).text}\n`);
});
