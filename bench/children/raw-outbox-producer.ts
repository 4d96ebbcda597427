/**
 * The Kafka limit for the outbox drain: kafkajs alone producing the records the relay makes of
 * BENCH_ROWS outbox rows (key = aggregateid, headers id and type, value = the payload as
 * PostgreSQL returns it), in ~1 MB sends one at a time with the relay's producer settings
 * (idempotent, acks=all, one request in flight). Records are built before the clock starts.
 */
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { outboxPayload } from "../outbox-rows.ts";
import { env, reportSection } from "./child-report.ts";

const MAX_BYTES = 1_000_000;
/** Upper bound of a v2 record's framing: length, attributes, deltas, key/value/header lengths. */
const RECORD_OVERHEAD = 24;
const count = Number(env("BENCH_ROWS"));
const topic = env("BENCH_TOPIC");
type Record = { key: string; value: string; headers: { id: string; type: string } };
const batches: Record[][] = [[]];
let batchBytes = 0;
for (let n = 0; n < count; n++) {
  const record: Record = { key: `order-${n % 1000}`, value: outboxPayload(n), headers: { id: crypto.randomUUID(), type: "OrderPlaced" } };
  const bytes = record.key.length + Buffer.byteLength(record.value) + 2 + record.headers.id.length + 4 + record.headers.type.length + RECORD_OVERHEAD;
  if (batchBytes + bytes > MAX_BYTES) {
    batches.push([]);
    batchBytes = 0;
  }
  (batches.at(-1) as Record[]).push(record);
  batchBytes += bytes;
}

const kafka = new Kafka({ clientId: "raw-kafkajs", brokers: env("BENCH_KAFKA_BROKERS").split(","), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
await reportSection(async () => {
  for (const batch of batches) {
    await producer.send({
      topic,
      acks: -1,
      timeout: 10_000,
      messages: batch.map((record) => ({ key: record.key, value: record.value, headers: { ...record.headers } })),
    });
  }
  return { events: count, sends: batches.length };
});
await producer.disconnect();
process.exit(0);
