/**
 * One fault scenario of the SQL outbox source: a PostgreSQL outbox table written at a steady rate
 * by an application, relays delivering it to Kafka, a fault in the middle of the stream, then
 * the account of every row (accounting.ts) and the time to recover: from the fault's end until
 * every row committed before it was delivered or given up.
 */

import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { createTopics, readTopic } from "../../../support/kafka-topics.ts";
import { inspectRedis } from "../../../support/redis-inspect.ts";
import { eventually, relayTestSetup } from "../../../support/relay-env.ts";
import { type RelayProcess, startRelayProcess } from "../../../support/relay-process.ts";
import { postgresOutbox } from "../../../support/sql-outbox.ts";
import { testbedEnv, uniqueName } from "../../../support/testbed-env.ts";
import { accountFor, type OutboxAccount, type TruthRow } from "./accounting.ts";
import { type OutboxWriter, writeOutbox } from "./writer.ts";

/** The record size limit the scenarios run with: small, so that a lost send's batch (the duplicates' bound) is small too. */
export const MAX_MESSAGE_BYTES = 16_384;
/** The smallest record the writer's rows make (key, value, headers), for the duplicates' bound. */
const SMALLEST_RECORD_BYTES = 120;
/** Copies beyond the first that one lost send can make: one delivery of records at most this many. */
export const ONE_SEND = Math.floor(MAX_MESSAGE_BYTES / SMALLEST_RECORD_BYTES);

export interface FaultContext {
  readonly relays: RelayProcess[];
  /** Starts one more relay instance on the same table, Redis and Kafka. */
  startRelay(): Promise<RelayProcess>;
  readonly writer: OutboxWriter;
}

export interface ScenarioResult extends OutboxAccount {
  readonly recoverMs: number;
}

export async function runOutboxScenario(params: {
  /** The database: the machine's server, or a private one the fault stops. */
  url: string;
  kafkaBrokers?: readonly string[];
  rows: number;
  perSecond: number;
  instances: number;
  payloadOf?: (index: number) => string;
  fault: (context: FaultContext) => Promise<void>;
}): Promise<ScenarioResult> {
  const brokers = params.kafkaBrokers ?? testbedEnv().kafkaBrokers;
  const outbox = await postgresOutbox("fault", params.url);
  const types = [uniqueName("order").replaceAll("-", "_"), uniqueName("invoice").replaceAll("-", "_")];
  await createTopics(
    brokers,
    types.map((type) => ({ topic: `outbox.event.${type}`, partitions: 3 })),
  );
  const file = join(tmpdir(), `${uniqueName("outbox-fault")}.yaml`);
  writeFileSync(
    file,
    `pipelines:
  - name: orders
    source:
      kind: sql-outbox
      dialect: postgres
      url: ${params.url}
      table: ${outbox.table}
      batchSize: 500
      claimLeaseMs: 2000
      pollIntervalMs: 250
      retryBackoffMs: [200]
      maxAttempts: 3
    sink:
      kind: kafka
`,
  );
  const setup = relayTestSetup({
    kafkaBrokers: brokers,
    overrides: { HOBOM_PIPELINES_FILE: file, HOBOM_KAFKA_MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES), HOBOM_SHUTDOWN_TIMEOUT_MS: "5000" },
  });
  const relays: RelayProcess[] = [];
  const startRelay = async () => {
    const relay = await startRelayProcess(setup.env);
    relays.push(relay);
    return relay;
  };
  for (let instance = 0; instance < params.instances; instance++) await startRelay();
  const writer = writeOutbox({
    url: params.url,
    table: outbox.table,
    rows: params.rows,
    perSecond: params.perSecond,
    aggregateTypes: types,
    aggregates: 40,
    payloadOf: params.payloadOf,
  });
  const sql = new SQL(params.url, { max: 1 });
  try {
    await eventually(() => writer.rows.length >= params.rows * 0.4, 60_000);
    await params.fault({ relays, startRelay, writer });
    const faultEnded = Date.now();
    await eventually(async () => {
      try {
        const [row] = await sql.unsafe(
          `SELECT count(*)::int AS waiting FROM ${outbox.table} WHERE relay_state = 'pending' AND relay_created_at <= to_timestamp($1 / 1000.0)`,
          [faultEnded],
        );
        return (row as { waiting: number }).waiting === 0;
      } catch {
        return false;
      }
    }, 90_000);
    const recoverMs = Date.now() - faultEnded;
    await writer.done;
    await eventually(async () => {
      const [row] = await sql.unsafe(`SELECT count(*)::int AS waiting FROM ${outbox.table} WHERE relay_state = 'pending'`);
      return (row as { waiting: number }).waiting === 0;
    }, 60_000);
    const truth = (await sql.unsafe(
      `SELECT id::text AS id, aggregatetype, aggregateid, relay_state AS state, relay_attempts AS attempts FROM ${outbox.table} ORDER BY relay_seq`,
    )) as TruthRow[];
    const records = (await Promise.all(types.map((type) => readTopic(brokers, `outbox.event.${type}`)))).flat();
    const redis = inspectRedis(testbedEnv().redisUrl, setup.namespace);
    const deadLetters = new Set((await redis.keys("dlq:orders:*")).map((key) => key.slice(`${setup.namespace}dlq:orders:`.length)));
    redis.close();
    return { ...accountFor({ truth, records, deadLetters }), recoverMs };
  } finally {
    await Promise.all(relays.map((relay) => relay.kill()));
    await sql.close();
    await outbox.drop();
  }
}
