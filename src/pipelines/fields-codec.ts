/**
 * The mapping of a pipeline declared in a pipelines file: one Kafka record per event, its topic, key
 * and headers from templates over the event's record, its value the payload as JSON, the whole
 * record, or one of the HoBom mappers (the Go processor's exact JSON).
 */
import { MappingError } from "../engine/errors.ts";
import type { Codec, Encoded, SourceEvent, Unencodable } from "../engine/ports.ts";
import { angelValue } from "../hobom/mappers/angel.ts";
import { messageValue } from "../hobom/mappers/message.ts";
import { spaceValue } from "../hobom/mappers/space.ts";
import type { AngelEventPayload, MessagePayload, SpaceEventPayload } from "../hobom/wire-types.ts";
import { type KafkaMessage, weighedRecord } from "../sinks/kafka/message.ts";
import type { Template } from "./template.ts";

/** How an event's value is written. */
export const VALUE_FORMATS = {
  /** The event's payload as JSON: as it was written, where the source keeps it as text. */
  payload: (event: SourceEvent) => event.payloadText ?? JSON.stringify(payloadOf(event)),
  /** The whole record the source gave (a row with its payload), as JSON. */
  record: (event: SourceEvent) => JSON.stringify(event.record),
  "hobom.message": (event: SourceEvent, now: Date) => JSON.stringify(messageValue(payloadOf(event) as MessagePayload, now)),
  "hobom.space": (event: SourceEvent) => JSON.stringify(spaceValue(payloadOf(event) as SpaceEventPayload)),
  "hobom.angel": (event: SourceEvent) => JSON.stringify(angelValue(event.type, payloadOf(event) as AngelEventPayload)),
} as const satisfies Record<string, (event: SourceEvent, now: Date) => string>;

export type ValueFormat = keyof typeof VALUE_FORMATS;

export interface FieldsMapping {
  readonly topic: Template;
  readonly key: Template;
  readonly headers: Readonly<Record<string, Template>>;
  /** A field of the record holding a JSON object of more headers (an outbox row's `headers` column). */
  readonly headersFrom?: string;
  readonly value: ValueFormat;
}

export function fieldsCodec(mapping: FieldsMapping): Codec<KafkaMessage> {
  const render = (record: Readonly<Record<string, unknown>>, value: string): KafkaMessage => ({
    topic: mapping.topic(record),
    key: mapping.key(record),
    value,
    headers: {
      ...Object.fromEntries(Object.entries(mapping.headers).map(([name, template]) => [name, template(record)])),
      ...(mapping.headersFrom === undefined ? {} : headersIn(record[mapping.headersFrom])),
    },
  });
  return {
    encode(events, { now, limits }) {
      const messages: Encoded<KafkaMessage>[] = [];
      const unencodable: Unencodable[] = [];
      for (const event of events) {
        let message: KafkaMessage;
        try {
          message = render(event.record, VALUE_FORMATS[mapping.value](event, now));
        } catch (error) {
          const reason =
            error instanceof MappingError
              ? error
              : new MappingError(`${event.type} event ${event.id} cannot be mapped: ${(error as Error).message}`, { cause: error });
          unencodable.push({ event, value: JSON.stringify(event.record), error: reason, replayable: false });
          continue;
        }
        const where = { destination: message.topic, recordKey: message.key, headers: message.headers };
        const weighed = weighedRecord(event, message, limits, where);
        if ("tooLarge" in weighed) unencodable.push(weighed.tooLarge);
        else messages.push(weighed.encoded);
      }
      return { messages, unencodable };
    },
    replay(entry) {
      // The entry says where the record was bound; the templates (over what the entry holds: its
      // eventId and type, its value as the payload) only fill in what an older entry left out.
      if (entry.destination && entry.recordKey !== undefined && entry.headers) {
        return { topic: entry.destination, key: entry.recordKey, value: entry.value, headers: entry.headers };
      }
      const record = { eventId: entry.eventId, eventType: entry.eventType, id: entry.eventId, type: entry.eventType, payload: parsed(entry.value) };
      const message = render(record, entry.value);
      return { ...message, topic: entry.destination || message.topic, key: entry.recordKey || message.key, headers: { ...message.headers, ...entry.headers } };
    },
  };
}

/** A headers object's entries as text headers; anything else is no headers. */
function headersIn(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([name, text]) => [name, typeof text === "string" ? text : JSON.stringify(text)]));
}

function payloadOf(event: SourceEvent): unknown {
  const payload = event.record.payload;
  if (payload === null || payload === undefined) throw new MappingError(`${event.type} event ${event.id} has no payload`);
  return payload;
}

function parsed(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
