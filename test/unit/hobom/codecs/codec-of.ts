/**
 * The codec of a HoBom Kafka pipeline, made from its row of the table as src/hobom/build.ts makes
 * it, with the default topic names and a clock of nanoseconds the test chooses.
 */
import type { Codec } from "../../../../src/engine/ports.ts";
import { eventCodec } from "../../../../src/hobom/codecs/event-codec.ts";
import { logCodec } from "../../../../src/hobom/codecs/log-codec.ts";
import type { EventPipeline, LogPipeline, PipelineName } from "../../../../src/hobom/pipeline.ts";
import { PIPELINES } from "../../../../src/hobom/pipelines.ts";
import type { KafkaMessage } from "../../../../src/sinks/kafka/message.ts";

/** The topic names the default configuration gives each topic role. */
export const TOPICS = { messages: "hobom.messages", logs: "hobom.logs", spaceEvents: "hobom.space-events", angelEvents: "hobom.angel-events" } as const;

export function rowOf<P extends EventPipeline | LogPipeline>(name: PipelineName): P {
  const row = PIPELINES.find((candidate) => candidate.name === name);
  if (!row || row.kind === "law") throw new Error(`${name} is not a Kafka pipeline`);
  return row as P;
}

export function topicOf(name: PipelineName): string {
  return TOPICS[rowOf(name).topic];
}

export function kafkaCodecOf(name: PipelineName, nowNanos: () => bigint = () => 0n): Codec<KafkaMessage> {
  const row = rowOf(name);
  const replay = { topic: TOPICS[row.topic], source: row.source, defaultEventType: row.find.eventTypes[0] ?? "" };
  return row.kind === "event"
    ? eventCodec({ ...replay, typeInValue: row.eventTypeInValue === true, toValue: row.toValue })
    : logCodec({ ...replay, keyPrefix: row.keyPrefix, toItem: row.toItem, nowNanos });
}
