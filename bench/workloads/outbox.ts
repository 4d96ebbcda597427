/**
 * The SQL outbox source (issue 12), PostgreSQL → Kafka with acks=all, the relay as operators run
 * it (a pipelines file, no HoBom backend):
 *   - outboxDrain: `rows` rows in the table before the relay starts; the time from its start line
 *     until every row is processed (marked only after Kafka's acknowledgement);
 *   - outboxSteady: single-row transactions committed at a fixed rate into an empty table while
 *     the relay runs; per row, from its COMMIT returning to a consumer in the bench process
 *     receiving the record (an upper bound of the acknowledgement: the broker serves a record to
 *     consumers once acks=all acknowledged it);
 *   - rawOutboxKafka: kafkajs alone producing the same records, the limit the drain is held to.
 */

import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { Kafka, logLevel } from "kafkajs";
import { migratePostgres } from "../../src/sources/sql-outbox/migrate.ts";
import { tableNames } from "../../src/sources/sql-outbox/postgres-schema.ts";
import { createTopics } from "../../test/support/kafka-topics.ts";
import { relayTestSetup } from "../../test/support/relay-env.ts";
import { startRelayProcess } from "../../test/support/relay-process.ts";
import { POSTGRES_URL } from "../../test/support/sql-outbox.ts";
import { uniqueName } from "../../test/support/testbed-env.ts";
import { runChild } from "../child-runner.ts";
import { deleteRedisNamespace, deleteTopics } from "../cleanup.ts";
import { wallClockMs } from "../clock.ts";
import { countRecords } from "../kafka-reading.ts";
import { startWindow, type WindowResult } from "../measure-window.ts";
import { insertOutboxRows } from "../outbox-rows.ts";
import { latencySummary } from "../stats.ts";
import type { BenchTestbed } from "../testbed.ts";
import { waitFor } from "../wait.ts";
import type { LimitResult } from "./limits.ts";

export interface OutboxDrainResult extends WindowResult {
  readonly rows: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly kafkaRecords: number;
}

export interface OutboxSteadyResult extends WindowResult {
  readonly rate: number;
  readonly rows: number;
  readonly commitToReceiveP50: number;
  readonly commitToReceiveP99: number;
  readonly commitToReceiveMax: number;
  readonly notReceived: number;
}

/** A fresh outbox table, a relay delivering it to a fresh topic, and how to take both down. */
async function outboxRelay(testbed: BenchTestbed) {
  const schema = uniqueName("bench_outbox").replaceAll("-", "_");
  const table = `${schema}.outbox`;
  const topic = uniqueName("bench-outbox");
  const sql = new SQL(POSTGRES_URL, { max: 4 });
  await sql.unsafe(`CREATE SCHEMA ${schema}`);
  await migratePostgres(POSTGRES_URL, tableNames(table));
  await createTopics(testbed.kafkaBrokers, [topic]);
  const file = join(tmpdir(), `${schema}.yaml`);
  // The source's defaults (batchSize 5000, pollIntervalMs 1000, woken by NOTIFY) and the
  // Debezium routing, with the topic named so that runs do not share one.
  writeFileSync(
    file,
    `pipelines:\n  - name: orders\n    source:\n      kind: sql-outbox\n      dialect: postgres\n      url: ${POSTGRES_URL}\n      table: ${table}\n    sink:\n      kind: kafka\n    mapping:\n      topic: ${topic}\n`,
  );
  const setup = relayTestSetup({
    kafkaBrokers: testbed.kafkaBrokers,
    overrides: { HOBOM_PIPELINES_FILE: file, HOBOM_LOG_LEVEL: "info", HOBOM_SHUTDOWN_TIMEOUT_MS: "2000" },
  });
  return {
    sql,
    table,
    topic,
    start: () => startRelayProcess(setup.env),
    async drop() {
      await Promise.all([deleteTopics(testbed.kafkaBrokers, [topic]), deleteRedisNamespace(testbed.redisUrl, setup.namespace)]);
      await sql.unsafe(`DROP SCHEMA ${schema} CASCADE`);
      await sql.close();
    },
  };
}

async function pendingRows(sql: SQL, table: string): Promise<number> {
  const [row] = await sql.unsafe(`SELECT count(*)::int AS pending FROM ${table} WHERE relay_state = 'pending'`);
  return (row as { pending: number }).pending;
}

export async function outboxDrain(testbed: BenchTestbed, options: { rows: number }): Promise<OutboxDrainResult> {
  const run = await outboxRelay(testbed);
  try {
    await insertOutboxRows(run.sql, run.table, 0, options.rows);
    await run.sql.unsafe(`VACUUM ANALYZE ${run.table}`);
    const relay = await run.start();
    const startedAt = wallClockMs();
    const window = startWindow(relay.pid);
    let pending = options.rows;
    const poll = setInterval(async () => {
      pending = await pendingRows(run.sql, run.table).catch(() => pending);
    }, 50);
    const doneAt = await waitFor(
      () => pending === 0,
      600_000,
      () => `${pending} of ${options.rows} rows still pending`,
    ).finally(() => clearInterval(poll));
    const measured = window.stop();
    await relay.stop();
    const seconds = (doneAt - startedAt) / 1000;
    return {
      ...measured,
      rows: options.rows,
      seconds,
      eventsPerSecond: options.rows / seconds,
      kafkaRecords: await countRecords(testbed.kafkaBrokers, run.topic),
    };
  } finally {
    await run.drop();
  }
}

export async function outboxSteady(testbed: BenchTestbed, options: { rate: number; seconds: number }): Promise<OutboxSteadyResult> {
  const run = await outboxRelay(testbed);
  const consumer = new Kafka({ clientId: "hobom-bench", brokers: testbed.kafkaBrokers, logLevel: logLevel.NOTHING }).consumer({
    groupId: uniqueName("bench-outbox-receiver"),
    maxWaitTimeInMs: 20,
    minBytes: 1,
  });
  try {
    const relay = await run.start();
    const received = new Map<string, number>();
    await consumer.connect();
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.subscribe({ topic: run.topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = wallClockMs();
        for (const message of batch.messages) {
          const id = message.headers?.id?.toString() ?? "";
          if (!received.has(id)) received.set(id, now);
        }
      },
    });
    await joined;
    const committed = new Map<string, number>();
    const window = startWindow(relay.pid);
    const startedAt = wallClockMs();
    let n = 0;
    const inFlight = new Set<Promise<void>>();
    // One transaction per row, on up to 4 connections: at 2,000 rows/s a single connection's
    // round trips would be the limit, not the relay.
    while (wallClockMs() - startedAt < options.seconds * 1000) {
      const due = Math.floor(((wallClockMs() - startedAt) / 1000) * options.rate);
      while (n < due && inFlight.size < 4) {
        const id = crypto.randomUUID();
        const index = n++;
        const insert = run.sql
          .unsafe(`INSERT INTO ${run.table} (id, aggregatetype, aggregateid, type, payload) VALUES ($1, 'order', $2, 'OrderPlaced', $3::jsonb)`, [
            id,
            `order-${index % 1000}`,
            JSON.stringify({ index }),
          ])
          .then(() => void committed.set(id, wallClockMs()));
        inFlight.add(insert);
        void insert.finally(() => inFlight.delete(insert));
      }
      await (inFlight.size >= 4 ? Promise.race(inFlight) : Bun.sleep(1));
    }
    await Promise.all(inFlight);
    await waitFor(
      () => received.size >= committed.size,
      20_000,
      () => `${received.size} of ${committed.size} received`,
    ).catch(() => undefined);
    const measured = window.stop();
    await relay.stop();
    const latencies = [...committed].map(([id, at]) => Math.max(0, (received.get(id) ?? Number.POSITIVE_INFINITY) - at));
    const summary = latencySummary(latencies);
    return {
      ...measured,
      rate: options.rate,
      rows: committed.size,
      commitToReceiveP50: summary.p50,
      commitToReceiveP99: summary.p99,
      commitToReceiveMax: summary.max,
      notReceived: [...committed.keys()].filter((id) => !received.has(id)).length,
    };
  } finally {
    await consumer.disconnect();
    await run.drop();
  }
}

export async function rawOutboxKafka(testbed: BenchTestbed, options: { rows: number }): Promise<LimitResult> {
  const topic = uniqueName("bench-outbox-raw");
  await createTopics(testbed.kafkaBrokers, [topic]);
  try {
    const report = await runChild("raw-outbox-producer.ts", {
      BENCH_KAFKA_BROKERS: testbed.kafkaBrokers.join(","),
      BENCH_TOPIC: topic,
      BENCH_ROWS: String(options.rows),
    });
    return {
      rows: report.events,
      seconds: report.seconds,
      eventsPerSecond: report.events / report.seconds,
      cpuSeconds: report.cpuSeconds,
      peakRssMiB: report.peakRssMiB,
      delivered: await countRecords(testbed.kafkaBrokers, topic),
    };
  } finally {
    await deleteTopics(testbed.kafkaBrokers, [topic]);
  }
}
