/**
 * The sql-outbox source with the relay as operators run it: a pipelines file, `migrate`, then the
 * relay delivering an outbox table in PostgreSQL and one in SQLite to Kafka the way Debezium's
 * outbox event router does (topic by aggregate type, key, headers, payload), rows that can never
 * be delivered dead-lettered under the pipeline's prefix and marked failed, and a record the
 * broker refused replayed with curl once the topic allows it.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { dlqClient, parsePrometheus, sampleValue } from "../../support/http-client.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { eventually, relayTestSetup } from "../../support/relay-env.ts";
import { killAllRelays, startRelayProcess } from "../../support/relay-process.ts";
import { postgresOutbox, sqliteOutbox, type TestOutbox } from "../../support/sql-outbox.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";

const MAIN = resolve(import.meta.dir, "../../../src/main.ts");
const dir = mkdtempSync(join(tmpdir(), "sql-outbox-relay-"));
const outboxes: TestOutbox[] = [];
afterEach(() => killAllRelays());
afterAll(async () => {
  await Promise.all(outboxes.map((outbox) => outbox.drop()));
  rmSync(dir, { recursive: true, force: true });
});

async function outboxOf(make: () => Promise<TestOutbox>): Promise<TestOutbox> {
  const outbox = await make();
  outboxes.push(outbox);
  return outbox;
}

function pipelinesFile(outbox: TestOutbox, extra = ""): string {
  const path = join(dir, `${uniqueName("pipelines")}.yaml`);
  const where = outbox.dialect === "postgres" ? `url: ${outbox.location}` : `path: ${outbox.location}`;
  writeFileSync(
    path,
    `pipelines:
  - name: orders
    source:
      kind: sql-outbox
      dialect: ${outbox.dialect}
      ${where}
      table: ${outbox.table}
      pollIntervalMs: 500
      upkeepIntervalMs: 200
      retryBackoffMs: [100]
      maxAttempts: 3${extra}
    sink:
      kind: kafka
`,
  );
  return path;
}

/** A relay that runs only the file's pipelines: no HoBom backend at all. */
function relayEnv(file: string, overrides: Record<string, string> = {}) {
  return relayTestSetup({ overrides: { HOBOM_PIPELINES_FILE: file, ...overrides } });
}

describe.each([
  ["postgres", postgresOutbox],
  ["sqlite", sqliteOutbox],
] as const)("an outbox table in %s", (_dialect, make) => {
  test("goes to Kafka as Debezium's outbox router sends it: topic by aggregate type, key, headers, payload, each aggregate in order", async () => {
    const outbox = await outboxOf(make);
    const [orders, invoices] = [uniqueName("order").replaceAll("-", "_"), uniqueName("invoice").replaceAll("-", "_")];
    await createTopics(testbedEnv().kafkaBrokers, [
      { topic: `outbox.event.${orders}`, partitions: 3 },
      { topic: `outbox.event.${invoices}`, partitions: 3 },
    ]);
    const setup = relayEnv(pipelinesFile(outbox));
    const relay = await startRelayProcess(setup.env);
    const rows = Array.from({ length: 40 }, (_, n) => ({
      aggregatetype: n % 4 === 3 ? invoices : orders,
      aggregateid: `agg-${n % 5}`,
      type: n % 2 === 0 ? "Placed" : "Paid",
      payload: JSON.stringify({ n, note: "ünïcödé" }),
      headers: n === 0 ? JSON.stringify({ tenant: "acme", "trace-id": "t-1" }) : null,
    }));
    // Written in four transactions, as an application commits them.
    const ids: string[] = [];
    for (let start = 0; start < rows.length; start += 10) ids.push(...(await outbox.insert(rows.slice(start, start + 10))));
    await eventually(async () => (await Promise.all(ids.map((id) => outbox.state(id)))).every((row) => row?.state === "processed"), 20_000);
    const delivered = [
      ...(await readTopic(testbedEnv().kafkaBrokers, `outbox.event.${orders}`)),
      ...(await readTopic(testbedEnv().kafkaBrokers, `outbox.event.${invoices}`)),
    ];
    expect(delivered).toHaveLength(40);
    const first = delivered.find((record) => record.headers.id === ids[0]);
    expect(first).toMatchObject({ key: "agg-0", headers: { id: ids[0], type: "Placed", tenant: "acme", "trace-id": "t-1" } });
    expect(JSON.parse(first?.value ?? "null")).toEqual({ n: 0, note: "ünïcödé" });
    // Per aggregate (one key, so one partition), the rows in the order they were written.
    for (const key of ["agg-0", "agg-1", "agg-2", "agg-3", "agg-4"]) {
      for (const type of [orders, invoices]) {
        const written = ids.filter((_, n) => `agg-${n % 5}` === key && rows[n]?.aggregatetype === type);
        const sent = delivered
          .filter((record) => record.key === key && written.includes(record.headers.id ?? ""))
          .sort((a, b) => Number(a.offset) - Number(b.offset));
        expect(sent.map((record) => record.headers.id)).toEqual(written);
      }
    }
    const metrics = parsePrometheus(await (await fetch(`${relay.httpUrl}/metrics`)).text());
    expect(sampleValue(metrics, "hobom_rows_total", { pipeline: "orders", event: "published" })).toBe(40);
    const health = (await (await fetch(`${relay.httpUrl}/health`)).json()) as { components: Record<string, { status: string }> };
    expect(health.components[`orders ${outbox.dialect}`]?.status).toBe("healthy");
  });

  test("dead-letters rows that can never be delivered, marks them failed with why, and delivers the rest", async () => {
    const outbox = await outboxOf(make);
    const type = uniqueName("poison").replaceAll("-", "_");
    await createTopics(testbedEnv().kafkaBrokers, [`outbox.event.${type}`]);
    const setup = relayEnv(pipelinesFile(outbox), { HOBOM_KAFKA_MAX_MESSAGE_BYTES: "4096" });
    const relay = await startRelayProcess(setup.env);
    const ids = await outbox.insert([
      { aggregatetype: type, aggregateid: "a", payload: JSON.stringify({ ok: 1 }) },
      { aggregatetype: type, aggregateid: "a", payload: JSON.stringify({ big: "x".repeat(8000) }) },
      { aggregatetype: type, aggregateid: "a", payload: JSON.stringify({ ok: 2 }), headers: JSON.stringify(["not", "an", "object"]) },
      { aggregatetype: type, aggregateid: "a", payload: JSON.stringify({ ok: 3 }) },
    ]);
    const [good, big, badHeaders, after] = ids as [string, string, string, string];
    await eventually(async () => (await outbox.state(after))?.state === "processed" && (await outbox.state(badHeaders))?.state === "failed", 20_000);
    expect(await outbox.state(good)).toMatchObject({ state: "processed" });
    expect((await outbox.state(big))?.state).toBe("failed");
    expect((await outbox.state(big))?.lastError).toContain("HOBOM_KAFKA_MAX_MESSAGE_BYTES");
    expect((await outbox.state(badHeaders))?.lastError).toContain("headers is not a JSON object");
    const sent = await readTopic(testbedEnv().kafkaBrokers, `outbox.event.${type}`);
    expect(sent.map((record) => record.headers.id)).toEqual([good, after]);
    const dlq = dlqClient(relay);
    const listed = await dlq.list({ prefix: `${setup.namespace}dlq:orders:` });
    expect([...(listed.body.items as string[])].sort()).toEqual([`${setup.namespace}dlq:orders:${big}`, `${setup.namespace}dlq:orders:${badHeaders}`].sort());
    const entry = await dlq.get(`${setup.namespace}dlq:orders:${badHeaders}`);
    expect(entry.body.meta).toMatchObject({ pipeline: "orders", eventId: badHeaders });
    expect((await dlq.remove(`${setup.namespace}dlq:orders:${badHeaders}`)).status).toBe(200);
  });
});

describe("a record the broker refused", () => {
  test("is replayed with curl once the topic takes it, and its row becomes processed", async () => {
    const outbox = await outboxOf(postgresOutbox);
    const type = uniqueName("refused").replaceAll("-", "_");
    const topic = `outbox.event.${type}`;
    await createTopics(testbedEnv().kafkaBrokers, [{ topic, configs: { "max.message.bytes": "2000" } }]);
    const setup = relayEnv(pipelinesFile(outbox));
    const relay = await startRelayProcess(setup.env);
    const [id] = (await outbox.insert([{ aggregatetype: type, aggregateid: "a", payload: JSON.stringify({ big: "y".repeat(5000) }) }])) as [string];
    await eventually(async () => (await outbox.state(id))?.state === "failed", 20_000);
    const key = `${setup.namespace}dlq:orders:${id}`;
    const dlq = dlqClient(relay);
    expect((await dlq.get(key)).body.meta).toMatchObject({ pipeline: "orders", replayable: true });
    const admin = new Kafka({ clientId: "hobom-tests", brokers: testbedEnv().kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: "max.message.bytes", value: "1048588" }] }] });
    await admin.disconnect();
    const retried = await dlq.retry(key);
    expect(retried.body).toMatchObject({ message: "DLQ retried and removed from Redis", published: true });
    expect(retried.status).toBe(200);
    expect((await outbox.state(id))?.state).toBe("processed");
    const [record] = await readTopic(testbedEnv().kafkaBrokers, topic);
    // The replay sends the record as it was bound: its topic, key and headers.
    expect(record).toMatchObject({ key: "a", headers: { id, type: "OrderPlaced" } });
    expect((await dlq.get(key)).status).toBe(404);
  });
});

describe("migrate", () => {
  test("--print shows the statements and changes nothing; migrate creates the table, and again is a no-op", async () => {
    const schema = uniqueName("migrate").replaceAll("-", "_");
    const outbox = await outboxOf(postgresOutbox);
    await outbox.exec(`CREATE SCHEMA ${schema}`);
    // trust authentication takes any password: the one here is to show that output hides it.
    const url = outbox.location.replace("postgres@", "postgres:s3cret-pw@");
    const file = join(dir, `${uniqueName("pipelines")}.yaml`);
    writeFileSync(
      file,
      `pipelines:\n  - name: orders\n    source:\n      kind: sql-outbox\n      dialect: postgres\n      url: ${url}\n      table: ${schema}.outbox\n    sink:\n      kind: kafka\n`,
    );
    const migrate = async (...args: string[]) => {
      const child = Bun.spawn([process.execPath, MAIN, "migrate", ...args], {
        env: { PATH: process.env.PATH ?? "", HOBOM_PIPELINES_FILE: file },
        stdout: "pipe",
        stderr: "pipe",
      });
      const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
      return { code, stdout, stderr };
    };
    const printed = await migrate("--print");
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`CREATE TABLE IF NOT EXISTS ${schema}.outbox`);
    expect(printed.stdout).toContain("relay_claimed_until");
    const exists = async () => {
      try {
        await outbox.exec(`SELECT 1 FROM ${schema}.outbox`);
        return true;
      } catch {
        return false;
      }
    };
    expect(await exists()).toBe(false);
    const first = await migrate();
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toContain("ok   pipeline orders");
    expect(first.stdout).not.toContain("s3cret-pw");
    expect(await exists()).toBe(true);
    expect((await migrate()).code).toBe(0);
    expect((await migrate("--force")).code).toBe(2);
    await outbox.exec(`DROP SCHEMA ${schema} CASCADE`);
  });
});
