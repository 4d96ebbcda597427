/**
 * The `kafka` sink kind, as a pipelines file declares it: records on the cluster of HOBOM_KAFKA_*
 * (the producer every pipeline shares), each event's topic, key and headers from templates over
 * its record, its value the payload as JSON (or the whole record, or a HoBom mapper's JSON).
 *
 * ```yaml
 * sink:
 *   kind: kafka
 * mapping:
 *   topic: orders.${eventType}
 *   key: ${eventId}                         # default
 *   headers: { event-id: "${eventId}", event-type: "${eventType}" }   # default
 *   value: payload                          # payload | record | hobom.message | hobom.space | hobom.angel
 * ```
 */
import type { Fields } from "../../config/fields.ts";
import type { Breaker } from "../../engine/breaker.ts";
import type { Sink } from "../../engine/ports.ts";
import { type FieldsMapping, fieldsCodec, VALUE_FORMATS, type ValueFormat } from "../../pipelines/fields-codec.ts";
import type { SinkKind } from "../../pipelines/kind.ts";
import { compileTemplate, type Template } from "../../pipelines/template.ts";
import type { KafkaMessage } from "./message.ts";

export interface KafkaKindOptions {
  readonly mapping: FieldsMapping;
}

export interface KafkaKindDependencies {
  /** The process's Kafka sink, behind its breaker. */
  readonly sink: Sink<KafkaMessage> & Breaker;
}

const DEFAULT_HEADERS = { "event-id": "${eventId}", "event-type": "${eventType}" };

export const kafkaKind: SinkKind<KafkaKindOptions, KafkaKindDependencies, KafkaMessage> = {
  parse(sink, mapping) {
    sink.rejectUnknown();
    if (!mapping) {
      sink.problem(undefined, "a kafka sink needs the entry's mapping: at least its topic (e.g. mapping: { topic: orders.events })");
      return undefined;
    }
    const template = (key: string, text: string | undefined): Template | undefined => {
      if (text === undefined) return undefined;
      const compiled = compileTemplate(text);
      if (typeof compiled === "string") {
        mapping.problem(key, `"${text}" ${compiled}`);
        return undefined;
      }
      return compiled;
    };
    const topic = template("topic", mapping.string("topic", { required: true, accepted: "a topic, or a template such as orders.${eventType}" }));
    const key = template("key", mapping.string("key") ?? "${eventId}");
    const headers: Record<string, Template> = {};
    for (const [name, text] of Object.entries(mapping.textMap("headers") ?? DEFAULT_HEADERS)) {
      const compiled = template(`headers.${name}`, text);
      if (compiled) headers[name] = compiled;
    }
    const value = mapping.oneOf("value", Object.keys(VALUE_FORMATS) as ValueFormat[]) ?? "payload";
    mapping.rejectUnknown();
    if (!topic || !key) return undefined;
    return { mapping: { topic, key, headers, value } };
  },
  build: (options, deps) => ({ sink: deps.sink, codec: fieldsCodec(options.mapping) }),
};
