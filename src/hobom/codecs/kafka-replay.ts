/** A HoBom DLQ entry back into the Kafka record it stands for: the stored value, keyed by eventId, with the pipeline's headers. */
import type { KafkaMessage } from "../../sinks/kafka/message.ts";

export interface KafkaReplaySpec {
  readonly topic: string;
  /** The backend the rows come from, sent as the `source` header. */
  readonly source: string;
  /** The event type when the entry's metadata names none (an entry the Go processor wrote). */
  readonly defaultEventType: string;
  /** Whether the value itself names its event type (`{"eventType": …}`, the angel values). */
  readonly typeInValue?: boolean;
}

export function kafkaReplay(spec: KafkaReplaySpec, entry: { eventId: string; eventType: string; value: string }): KafkaMessage {
  return {
    topic: spec.topic,
    key: entry.eventId,
    value: entry.value,
    headers: {
      "event-id": entry.eventId,
      "event-type": entry.eventType || (spec.typeInValue ? typeInValue(entry.value) : undefined) || spec.defaultEventType,
      source: spec.source,
    },
  };
}

function typeInValue(value: string): string | undefined {
  try {
    const eventType = (JSON.parse(value) as { eventType?: unknown }).eventType;
    return typeof eventType === "string" ? eventType : undefined;
  } catch {
    return undefined;
  }
}
