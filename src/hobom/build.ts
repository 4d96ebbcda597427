/**
 * The seven HoBom rows as pipelines the engine runs: each one a gRPC outbox source on its
 * backend's connection, the row's codec, and the shared Kafka sink (the law row: the
 * study-material sink). A row runs only when every connection it needs is configured.
 */
import type { Config } from "../config/config.ts";
import type { Breaker } from "../engine/breaker.ts";
import type { Pipeline } from "../engine/pipeline.ts";
import { createPoller } from "../engine/polling.ts";
import type { Sink } from "../engine/ports.ts";
import type { BackendChannels } from "../grpc/channels.ts";
import type { Logger } from "../observability/logger.ts";
import type { KafkaMessage } from "../sinks/kafka/message.ts";
import { createOutboxClient } from "../sources/grpc-outbox/outbox-client.ts";
import { createGrpcOutboxSource } from "../sources/grpc-outbox/source.ts";
import { eventCodec } from "./codecs/event-codec.ts";
import { lawCodec } from "./codecs/law-codec.ts";
import { logCodec } from "./codecs/log-codec.ts";
import type { HoBomPipeline } from "./pipeline.ts";
import { enabledPipelines } from "./pipelines.ts";
import type { LawChangedPayload } from "./wire-types.ts";

export interface HoBomRuntime {
  readonly config: Config;
  /** The HoBom backends' connections: main, space, angel, llm. */
  readonly channels: BackendChannels;
  readonly kafka: Sink<KafkaMessage> & Breaker;
  /** Present when the LLM is configured (the law pipeline runs only then). */
  readonly studyMaterial?: Sink<LawChangedPayload> & Breaker;
  readonly log: Logger;
  /** Wall-clock nanoseconds, for log record keys. */
  readonly nowNanos?: () => bigint;
}

/** The enabled HoBom pipelines, in the table's order. */
export function hobomPipelines(runtime: HoBomRuntime): Pipeline[] {
  return enabledPipelines(runtime.config.grpc.connections).map((row) => hobomPipeline(row, runtime));
}

function hobomPipeline(row: HoBomPipeline, runtime: HoBomRuntime): Pipeline {
  const { config } = runtime;
  const source = createGrpcOutboxSource({
    client: createOutboxClient({
      channels: runtime.channels,
      find: row.find,
      mark: row.mark,
      findTimeoutMs: config.grpc.findTimeoutMs,
      callTimeoutMs: config.grpc.callTimeoutMs,
    }),
    find: row.find,
    poller: createPoller({ intervalMs: config.relay.pollIntervalMs }),
    markConcurrency: config.relay.markConcurrency,
    log: runtime.log.child({ pipeline: row.name }),
  });
  const base = { name: row.name, dlqPrefix: row.dlqPrefix, source, description: { kind: row.kind, eventTypes: row.find.eventTypes } };
  if (row.kind === "law") {
    if (!runtime.studyMaterial) throw new Error("the law pipeline needs the study-material sink (HOBOM_LLM_GRPC_ADDR)");
    return { ...base, codec: lawCodec(), sink: runtime.studyMaterial } satisfies Pipeline<LawChangedPayload>;
  }
  const replay = { topic: config.kafka.topics[row.topic], source: row.source, defaultEventType: row.find.eventTypes[0] ?? "" };
  const codec =
    row.kind === "event"
      ? eventCodec({ ...replay, typeInValue: row.eventTypeInValue === true, toValue: row.toValue })
      : logCodec({ ...replay, keyPrefix: row.keyPrefix, toItem: row.toItem, nowNanos: runtime.nowNanos ?? wallClockNanos });
  return { ...base, codec, sink: runtime.kafka } satisfies Pipeline<KafkaMessage>;
}

function wallClockNanos(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
