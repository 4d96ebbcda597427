import { describe, expect, test } from "bun:test";
import type { Config } from "../../../src/config/config.ts";
import { loadConfig } from "../../../src/config/load-config.ts";
import { withBreaker } from "../../../src/engine/breaker.ts";
import type { Pipeline } from "../../../src/engine/pipeline.ts";
import type { BackendChannels, CallOptions } from "../../../src/grpc/channels.ts";
import { hobomPipelines } from "../../../src/hobom/build.ts";
import { PIPELINES } from "../../../src/hobom/pipelines.ts";
import type { LawChangedPayload } from "../../../src/hobom/wire-types.ts";
import { silentLogger } from "../../../src/observability/logger.ts";
import type { KafkaMessage } from "../../../src/sinks/kafka/message.ts";
import { FakeSink } from "../engine/fakes.ts";
import { lawPayload, logPayload, messagePayload, outboxEvent } from "./payloads.ts";

const ALL = {
  HOBOM_GRPC_ADDR: "localhost:50051",
  HOBOM_GRPC_API_KEY: "k",
  HOBOM_SPACE_GRPC_ADDR: "localhost:50052",
  HOBOM_ANGEL_GRPC_ADDR: "localhost:50053",
  HOBOM_LLM_GRPC_ADDR: "localhost:50054",
};
const NOW = new Date("2024-05-06T07:08:09Z");

function config(env: Record<string, string>): Config {
  const result = loadConfig({ env });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.config;
}

/** Channels that record every call and answer a Find with no rows. */
function stubChannels() {
  const calls: [string, string, string, object, CallOptions][] = [];
  const channels: BackendChannels = {
    async call<Res>(connection: string, service: string, method: string, request: object, options: CallOptions) {
      calls.push([connection, service, method, request, options]);
      return { items: { count: 0, decode: () => [] } } as Res;
    },
    waitReady: async () => {},
    nameOf: (connection) => connection,
    close: () => {},
  };
  return { calls, channels };
}

function build(env: Record<string, string> = ALL, options: { withStudyMaterial?: boolean } = {}) {
  const { calls, channels } = stubChannels();
  const kafka = withBreaker(new FakeSink(), { dependency: "kafka", backoffMs: [1_000] });
  const studyMaterial = withBreaker(
    {
      limits: { maxEvents: 1, maxBytes: Number.POSITIVE_INFINITY, maxBytesSetting: "(none)" },
      idempotent: false,
      deliver: async () => [],
      close: async () => {},
    },
    { dependency: "llm", backoffMs: [1_000] },
  );
  const pipelines = hobomPipelines({
    config: config(env),
    channels,
    kafka,
    studyMaterial: options.withStudyMaterial === false ? undefined : studyMaterial,
    log: silentLogger,
    nowNanos: () => 42n,
  });
  const byName = (name: string) => pipelines.find((pipeline) => pipeline.name === name) as Pipeline;
  return { pipelines, byName, kafka, studyMaterial, calls };
}

const context = { now: NOW, limits: { maxEvents: Number.POSITIVE_INFINITY, maxBytes: 1_000_000, maxBytesSetting: "HOBOM_KAFKA_MAX_MESSAGE_BYTES" } };

describe("hobomPipelines", () => {
  test("builds every row whose connections are configured, in the table's order, with its name, DLQ prefix and description", () => {
    const { pipelines } = build();
    expect(pipelines.map((pipeline) => [pipeline.name, pipeline.dlqPrefix])).toEqual(PIPELINES.map((row) => [row.name, row.dlqPrefix]));
    expect(pipelines.find((pipeline) => pipeline.name === "angel")?.description).toEqual({
      kind: "event",
      eventTypes: ["ADOPTION_APPROVED", "FOSTER_APPROVED", "STAFF_PROMOTION_APPROVED", "SHELTER_VERIFICATION_APPROVED", "FOSTER_TERMINATED"],
    });
    expect(pipelines.every((pipeline) => pipeline.maxAttempts === undefined)).toBe(true);
    expect(build({ HOBOM_GRPC_ADDR: "localhost:50051", HOBOM_GRPC_API_KEY: "k" }).pipelines.map((pipeline) => pipeline.name)).toEqual(["message", "log"]);
  });

  test("gives the Kafka rows the shared Kafka sink and the law row the study-material sink", () => {
    const { byName, kafka, studyMaterial } = build();
    for (const name of ["message", "log", "space", "space-log", "angel", "angel-log"]) expect(byName(name).sink).toBe(kafka as never);
    expect(byName("law").sink).toBe(studyMaterial as never);
  });

  test("refuses to build the law row without the study-material sink", () => {
    expect(() => build(ALL, { withStudyMaterial: false })).toThrow("the law pipeline needs the study-material sink (HOBOM_LLM_GRPC_ADDR)");
  });

  test("writes each Kafka row to its configured topic, with its backend as the source header", () => {
    const { byName } = build({ ...ALL, HOBOM_TOPIC_MESSAGES: "custom.messages", HOBOM_TOPIC_LOGS: "custom.logs" });
    const [message] = (byName("message") as Pipeline<KafkaMessage>).codec.encode([outboxEvent("e1", "MESSAGE", messagePayload())], context).messages;
    expect([message?.message.topic, message?.message.headers.source]).toEqual(["custom.messages", "for-hobom-backend"]);
    const [log] = (byName("space-log") as Pipeline<KafkaMessage>).codec.encode([outboxEvent("s1", "SPACE_LOG", logPayload())], context).messages;
    // Keyed with the runtime's clock of nanoseconds.
    expect([log?.message.topic, log?.message.key, log?.message.headers.source]).toEqual(["custom.logs", "space-log-42", "hobom-space-backend"]);
    expect(
      (byName("angel") as Pipeline<KafkaMessage>).codec.replay({ eventId: "a1", eventType: "", value: '{"eventType":"FOSTER_APPROVED"}' }).headers[
        "event-type"
      ],
    ).toBe("FOSTER_APPROVED");
    expect((byName("law") as Pipeline<LawChangedPayload>).codec.encode([outboxEvent("l1", "LAW_CHANGED", lawPayload())], context).messages[0]?.message).toEqual(
      lawPayload(),
    );
  });

  test("gives each row a gRPC outbox source that asks its Find for every event type, with the configured deadline", async () => {
    const { byName, calls } = build({ ...ALL, HOBOM_GRPC_FIND_TIMEOUT_MS: "12345" });
    const signal = new AbortController().signal;
    const batch = await byName("angel-log").source.take(signal);
    expect(batch.count).toBe(0);
    expect(calls).toEqual([
      ["angel", "angelFind", "FindOutboxByEventTypeAndStatusUseCase", { eventType: "HOBOM_LOG", status: "PENDING" }, { timeoutMs: 12_345, signal }],
    ]);
  });
});
