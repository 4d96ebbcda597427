/**
 * Log pipelines (log, space-log, angel-log): one JSON array of log commands for a slice of rows,
 * split into as few records as fit the size limit, each keyed `<keyPrefix>-<nanoseconds>` (keys
 * strictly increase, so they stay distinct across slices and cycles). A command too large even
 * alone is refused with the one-element array the Go processor stored.
 */
import { MappingError, RecordTooLargeError } from "../../engine/errors.ts";
import type { Codec, Encoded, SourceEvent, Unencodable } from "../../engine/ports.ts";
import { type KafkaMessage, messageBytes } from "../../sinks/kafka/message.ts";
import type { OutboxRow } from "../wire-types.ts";
import { type KafkaReplaySpec, kafkaReplay } from "./kafka-replay.ts";
import { mapRow, rawRow } from "./rows.ts";

export interface LogCodecSpec extends KafkaReplaySpec {
  /** Records are keyed `<keyPrefix>-<nanosecond timestamp>`. */
  readonly keyPrefix: string;
  readonly toItem: (row: OutboxRow<unknown> & { payload: unknown }) => Record<string, unknown>;
  /** Wall-clock nanoseconds. */
  readonly nowNanos: () => bigint;
}

export function logCodec(spec: LogCodecSpec): Codec<KafkaMessage> {
  let lastNanos = 0n;
  const nextKey = () => {
    const now = spec.nowNanos();
    lastNanos = now > lastNanos ? now : lastNanos + 1n;
    return `${spec.keyPrefix}-${lastNanos}`;
  };
  return {
    destination: spec.topic,
    encode(events, { limits }) {
      const messages: Encoded<KafkaMessage>[] = [];
      const unencodable: Unencodable[] = [];
      const headers = { "event-type": events[0]?.type ?? "", source: spec.source };
      // A nanosecond timestamp has at most 20 digits; the brackets of the array are the other 2 bytes.
      const envelope = messageBytes({ key: `${spec.keyPrefix}-`, value: "[]", headers }) + 20;

      let batch: { events: SourceEvent[]; items: string[]; bytes: number } = { events: [], items: [], bytes: envelope };
      const flush = () => {
        if (batch.events.length === 0) return;
        const message: KafkaMessage = { topic: spec.topic, key: nextKey(), value: `[${batch.items.join(",")}]`, headers };
        messages.push({
          events: batch.events,
          message,
          bytes: messageBytes(message),
          deadLetterValues: batch.items.map((item) => `[${item}]`),
          destination: spec.topic,
        });
        batch = { events: [], items: [], bytes: envelope };
      };

      for (const event of events) {
        const mapped = mapRow(event, spec.toItem);
        if (mapped instanceof MappingError) {
          unencodable.push({ event, value: rawRow(event), error: mapped, replayable: false, destination: spec.topic });
          continue;
        }
        const item = JSON.stringify(mapped);
        const itemBytes = Buffer.byteLength(item);
        if (envelope + itemBytes > limits.maxBytes) {
          const error = new RecordTooLargeError(envelope + itemBytes, limits.maxBytes, limits.maxBytesSetting);
          unencodable.push({ event, value: `[${item}]`, error, replayable: true, destination: spec.topic });
          continue;
        }
        const comma = batch.items.length > 0 ? 1 : 0;
        if (batch.bytes + comma + itemBytes > limits.maxBytes) flush();
        batch.bytes += (batch.items.length > 0 ? 1 : 0) + itemBytes;
        batch.events.push(event);
        batch.items.push(item);
      }
      flush();
      return { messages, unencodable };
    },
    replay: (entry) => kafkaReplay(spec, entry),
  };
}
