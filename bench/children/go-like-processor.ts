/**
 * The baseline: the Go processor's publish path, rebuilt on the relay's own adapters so that only
 * the design differs. One Find for every PENDING message row, then for each row in turn: build
 * its record, send it alone and wait for the acknowledgement (acks=all, idempotent), then mark it
 * SENT and wait for that. No batching, no concurrency, no delivery ledger.
 *
 * BENCH_WRITE_WAIT_MS adds a wait before every send: the Go writer (kafka-go) flushed a batch only
 * when it was full or its BatchTimeout (1 s) had passed, so one event per write waited ~1 s.
 */
import { createBackendChannels } from "../../src/grpc/channels.ts";
import { createOutboxSource } from "../../src/grpc/outbox-source.ts";
import { loadFindDecoders, loadHoBomServices } from "../../src/grpc/protos.ts";
import { createKafkaSink } from "../../src/kafka/producer.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import type { EventPipeline } from "../../src/pipelines/pipeline.ts";
import { PIPELINES } from "../../src/pipelines/table.ts";
import { prepareEventRecords } from "../../src/relay/records.ts";
import { env, reportSection } from "./child-report.ts";

const message = PIPELINES.find((pipeline) => pipeline.name === "message") as EventPipeline;
const writeWaitMs = Number(process.env.BENCH_WRITE_WAIT_MS ?? "0");
const channels = createBackendChannels({
  services: loadHoBomServices(),
  decoders: loadFindDecoders(),
  connections: { main: { address: env("BENCH_HOBOM_ADDR"), apiKey: env("BENCH_API_KEY") } },
  maxReceiveBytes: 64 * 1024 * 1024,
});
const source = createOutboxSource({ channels, find: message.find, mark: message.mark, findTimeoutMs: 30_000, callTimeoutMs: 10_000 });
const sink = createKafkaSink({ brokers: env("BENCH_KAFKA_BROKERS").split(","), clientId: "go-like-baseline", acks: -1, writeTimeoutMs: 10_000, backoffMs: [1_000], log: silentLogger });
const topic = env("BENCH_TOPIC");
await sink.connect();

await reportSection(async () => {
  const pending = await source.findPending("MESSAGE");
  const rows = pending.decode(0, pending.count);
  for (const row of rows) {
    const { deliveries } = prepareEventRecords(message, [row], { now: new Date(), maxBytes: 1_000_000 });
    const delivery = deliveries[0];
    if (!delivery) throw new Error(`row ${row.eventId} cannot be mapped`);
    if (writeWaitMs > 0) await Bun.sleep(writeWaitMs);
    await sink.send(topic, [delivery.record]);
    await source.markSent(row.eventId);
  }
  return { events: rows.length };
});
await sink.close();
channels.close();
process.exit(0);
