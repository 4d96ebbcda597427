/**
 * The Kafka limit: kafkajs alone producing the records the relay would produce for BENCH_ROWS
 * message rows, in ~1 MB sends one at a time, with the relay's producer settings (idempotent,
 * acks=all, one request in flight). The records are built before the clock starts: only producing
 * is timed.
 *
 * A send is ≤ 1 MB counting Kafka's per-record framing too (RECORD_OVERHEAD): 1 MB of keys,
 * values and headers alone makes a record batch larger than the broker's default limit
 * (message.max.bytes = 1,048,588), which the broker refuses.
 */
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { eventCodec } from "../../src/hobom/codecs/event-codec.ts";
import type { EventPipeline } from "../../src/hobom/pipeline.ts";
import { PIPELINES } from "../../src/hobom/pipelines.ts";
import type { OutboxRow } from "../../src/hobom/wire-types.ts";
import { rowEvent } from "../../src/sources/grpc-outbox/source.ts";
import { messagePayload } from "../../test/support/backends/payloads.ts";
import { env, reportSection } from "./child-report.ts";

const MAX_BYTES = 1_000_000;
/** Upper bound of a v2 record's framing: length, attributes, deltas, key/value/header lengths. */
const RECORD_OVERHEAD = 24;
const message = PIPELINES.find((pipeline) => pipeline.name === "message") as EventPipeline;
const count = Number(env("BENCH_ROWS"));
const topic = env("BENCH_TOPIC");
const created = new Date().toString();
const rows: OutboxRow<unknown>[] = Array.from({ length: count }, (_, n) => ({
  id: String(n + 1),
  eventId: crypto.randomUUID(),
  eventType: "MESSAGE",
  payload: messagePayload({ id: `msg-${n}`, recipient: `user-${n}@example.com` }),
  status: "PENDING",
  retryCount: 1,
  sentAt: "",
  failedAt: "",
  lastError: "",
  version: 1,
  createdAt: created,
  updatedAt: created,
}));
const codec = eventCodec({ topic, source: message.source, defaultEventType: "MESSAGE", toValue: message.toValue });
const limits = { maxEvents: Number.POSITIVE_INFINITY, maxBytes: MAX_BYTES, maxBytesSetting: "MAX_BYTES" };
const batches: { message: { key: string; value: string; headers: Readonly<Record<string, string>> } }[][] = [[]];
let batchBytes = 0;
for (const delivery of codec.encode(rows.map(rowEvent), { now: new Date(), limits }).messages) {
  const bytes = delivery.bytes + RECORD_OVERHEAD;
  if (batchBytes + bytes > MAX_BYTES) {
    batches.push([]);
    batchBytes = 0;
  }
  (batches.at(-1) as (typeof batches)[number]).push(delivery);
  batchBytes += bytes;
}

const kafka = new Kafka({
  clientId: "raw-kafkajs",
  brokers: env("BENCH_KAFKA_BROKERS").split(","),
  retry: { retries: 2, initialRetryTime: 200, multiplier: 2, factor: 0, maxRetryTime: 400 },
  logLevel: logLevel.NOTHING,
});
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();

await reportSection(async () => {
  for (const batch of batches) {
    await producer.send({
      topic,
      acks: -1,
      timeout: 10_000,
      messages: batch.map(({ message: record }) => ({ key: record.key, value: record.value, headers: { ...record.headers } })),
    });
  }
  return { events: count, sends: batches.length };
});
await producer.disconnect();
process.exit(0);
