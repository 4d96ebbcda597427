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
import { loadHoBomServices } from "../../src/grpc/protos.ts";
import { eventCodec } from "../../src/hobom/codecs/event-codec.ts";
import type { EventPipeline } from "../../src/hobom/pipeline.ts";
import { PIPELINES } from "../../src/hobom/pipelines.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import { createKafkaSink } from "../../src/sinks/kafka/sink.ts";
import { loadFindDecoders } from "../../src/sources/grpc-outbox/find-decoder.ts";
import { createOutboxClient } from "../../src/sources/grpc-outbox/outbox-client.ts";
import { rowEvent } from "../../src/sources/grpc-outbox/source.ts";
import { env, reportSection } from "./child-report.ts";

const message = PIPELINES.find((pipeline) => pipeline.name === "message") as EventPipeline;
const writeWaitMs = Number(process.env.BENCH_WRITE_WAIT_MS ?? "0");
const channels = createBackendChannels({
  services: loadHoBomServices(),
  decoders: loadFindDecoders(),
  connections: { main: { address: env("BENCH_HOBOM_ADDR"), apiKey: env("BENCH_API_KEY"), name: "for-hobom-backend" } },
  maxReceiveBytes: 64 * 1024 * 1024,
});
const outbox = createOutboxClient({ channels, find: message.find, mark: message.mark, findTimeoutMs: 30_000, callTimeoutMs: 10_000 });
const sink = createKafkaSink({
  brokers: env("BENCH_KAFKA_BROKERS").split(","),
  clientId: "go-like-baseline",
  acks: -1,
  writeTimeoutMs: 10_000,
  maxMessageBytes: 1_000_000,
  backoffMs: [1_000],
  log: silentLogger,
});
const codec = eventCodec({ topic: env("BENCH_TOPIC"), source: message.source, defaultEventType: "MESSAGE", toValue: message.toValue });
await sink.connect();

await reportSection(async () => {
  const pending = await outbox.findPending("MESSAGE");
  const rows = pending.decode(0, pending.count);
  for (const row of rows) {
    const [encoded] = codec.encode([rowEvent(row)], { now: new Date(), limits: sink.limits }).messages;
    if (!encoded) throw new Error(`row ${row.eventId} cannot be mapped`);
    if (writeWaitMs > 0) await Bun.sleep(writeWaitMs);
    const [outcome] = await sink.deliver([encoded.message], new AbortController().signal);
    if (!outcome?.ok) throw new Error(`row ${row.eventId} was not delivered`);
    await outbox.markSent(row.eventId);
  }
  return { events: rows.length };
});
await sink.close();
channels.close();
process.exit(0);
