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
  parse(sink, mapping, defaults) {
    sink.rejectUnknown();
    if (!mapping && defaults.topic === undefined) {
      sink.problem(undefined, "a kafka sink needs the entry's mapping: at least its topic (e.g. mapping: { topic: orders.events })");
      return undefined;
    }
    const problem = (key: string, message: string) =>
      mapping ? mapping.problem(key, message) : sink.problem(undefined, `the source's default ${key} ${message}`);
    const template = (key: string, text: string | undefined): Template | undefined => {
      if (text === undefined) return undefined;
      const compiled = compileTemplate(text);
      if (typeof compiled === "string") {
        problem(key, `"${text}" ${compiled}`);
        return undefined;
      }
      return compiled;
    };
    const required = defaults.topic === undefined;
    const topic = template("topic", mapping?.string("topic", { required, accepted: "a topic, or a template such as orders.${eventType}" }) ?? defaults.topic);
    const key = template("key", mapping?.string("key") ?? defaults.key ?? "${eventId}");
    const headers: Record<string, Template> = {};
    for (const [name, text] of Object.entries(mapping?.textMap("headers") ?? defaults.headers ?? DEFAULT_HEADERS)) {
      const compiled = template(`headers.${name}`, text);
      if (compiled) headers[name] = compiled;
    }
    const value = mapping?.oneOf("value", Object.keys(VALUE_FORMATS) as ValueFormat[]) ?? "payload";
    mapping?.rejectUnknown();
    if (!topic || !key) return undefined;
    return { mapping: { topic, key, headers, headersFrom: defaults.headersFrom, value } };
  },
  build: (options, deps) => ({ sink: deps.sink, codec: fieldsCodec(options.mapping) }),
};
