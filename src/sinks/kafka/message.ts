/** A Kafka record as the relay builds it, and what it weighs against Kafka's limits. */
import { RecordTooLargeError } from "../../engine/errors.ts";
import type { Encoded, SinkLimits, SourceEvent, Unencodable } from "../../engine/ports.ts";

/** One record: its topic, key, value and headers (UTF-8 text). */
export interface KafkaMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Bytes of a record that count against Kafka's limit (framing aside). */
export function messageBytes(message: Pick<KafkaMessage, "key" | "value" | "headers">): number {
  let bytes = Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/**
 * One event's record weighed against the sink's limit: the message to deliver or, larger than the
 * limit, the event for the DLQ with the value it would have sent (replayable: a larger limit takes it).
 */
export function weighedRecord(
  event: SourceEvent,
  message: KafkaMessage,
  limits: SinkLimits,
  where: Pick<Encoded<KafkaMessage>, "destination" | "recordKey" | "headers">,
): { encoded: Encoded<KafkaMessage> } | { tooLarge: Unencodable } {
  const bytes = messageBytes(message);
  if (bytes > limits.maxBytes) {
    const error = new RecordTooLargeError(bytes, limits.maxBytes, limits.maxBytesSetting);
    return { tooLarge: { event, value: message.value, error, replayable: true, ...where } };
  }
  return { encoded: { events: [event], message, bytes, deadLetterValues: [message.value], ...where } };
}

/**
 * Kafka's framing in a v2 record batch, at most: per record its length, attributes, timestamp and
 * offset deltas, key and value lengths and header count (varints), two length varints per header,
 * and the batch's 61-byte header. Without it, 1,000,000 bytes of ~300-byte records frame to more
 * than the broker's default message.max.bytes (1,048,588): the broker refuses the whole send
 * (MESSAGE_TOO_LARGE) and every full batch is sent three times (whole, then in halves).
 */
export const KAFKA_FRAMING = {
  perDelivery: 61,
  perMessage: (message: KafkaMessage) => 20 + 2 * Object.keys(message.headers).length,
};
