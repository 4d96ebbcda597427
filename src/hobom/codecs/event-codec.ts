/**
 * Event pipelines (message, space, angel): one Kafka record per row, keyed by eventId, with the
 * headers `event-id`, `event-type` and `source`; its value the pipeline's mapper's JSON, exactly as
 * the Go processor wrote it.
 */
import { MappingError } from "../../engine/errors.ts";
import type { Codec, Encoded, Unencodable } from "../../engine/ports.ts";
import { type KafkaMessage, weighedRecord } from "../../sinks/kafka/message.ts";
import type { OutboxRow } from "../wire-types.ts";
import { type KafkaReplaySpec, kafkaReplay } from "./kafka-replay.ts";
import { mapRow, rawRow } from "./rows.ts";

export interface EventCodecSpec extends KafkaReplaySpec {
  /** The Kafka value of a row whose payload is present; throws MappingError when it cannot be one. */
  readonly toValue: (row: OutboxRow<unknown> & { payload: unknown }, now: Date) => Record<string, unknown>;
}

export function eventCodec(spec: EventCodecSpec): Codec<KafkaMessage> {
  return {
    destination: spec.topic,
    encode(events, { now, limits }) {
      const messages: Encoded<KafkaMessage>[] = [];
      const unencodable: Unencodable[] = [];
      for (const event of events) {
        const mapped = mapRow(event, (row) => spec.toValue(row, now));
        if (mapped instanceof MappingError) {
          unencodable.push({ event, value: rawRow(event), error: mapped, replayable: false, destination: spec.topic });
          continue;
        }
        const message: KafkaMessage = {
          topic: spec.topic,
          key: event.id,
          value: JSON.stringify(mapped),
          headers: { "event-id": event.id, "event-type": event.type, source: spec.source },
        };
        const where = { destination: spec.topic, recordKey: message.key };
        const weighed = weighedRecord(event, message, limits, where);
        if ("tooLarge" in weighed) unencodable.push(weighed.tooLarge);
        else messages.push(weighed.encoded);
      }
      return { messages, unencodable };
    },
    replay: (entry) => kafkaReplay(spec, entry),
  };
}
