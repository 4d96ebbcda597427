import { describe, expect, test } from "bun:test";
import { createPipelineHealth } from "../../../../src/edge/http/pipeline-health.ts";
import { BreakerOpenError } from "../../../../src/engine/errors.ts";
import { BackendCallError } from "../../../../src/grpc/status.ts";
import { KafkaTopicError } from "../../../../src/sinks/kafka/errors.ts";

const NOW = new Date("2026-12-01T10:00:00Z");

describe("createPipelineHealth", () => {
  test("tells a topic that does not exist, naming every pipeline that waits for it", () => {
    const health = createPipelineHealth(() => NOW);
    health.failed("log", new KafkaTopicError("hobom.logs", "missing"));
    health.failed("space-log", new KafkaTopicError("hobom.logs", "missing"));
    const components = health.components();
    expect(Object.keys(components)).toEqual(["kafka topic hobom.logs"]);
    expect(components["kafka topic hobom.logs"]?.status).toBe("unhealthy");
    expect(components["kafka topic hobom.logs"]?.error).toContain("does not exist");
    expect(components["kafka topic hobom.logs"]?.error).toContain("pipelines waiting: log, space-log");
  });

  test("tells Finds that hang apart from a backend that refuses", () => {
    const health = createPipelineHealth(() => NOW);
    health.failed("message", new BackendCallError("for-hobom-backend", "FindOutboxByEventTypeAndStatusUseCase", "DEADLINE_EXCEEDED", "", { retriable: true }));
    health.failed("message", new BackendCallError("for-hobom-backend", "FindOutboxByEventTypeAndStatusUseCase", "DEADLINE_EXCEEDED", "", { retriable: true }));
    health.failed("space", new BackendCallError("hobom-space-backend", "Find", "UNAUTHENTICATED", "bad key", { retriable: false }));
    const components = health.components();
    expect(components["pipeline message"]?.error).toContain("answered nothing before its deadline");
    expect(components["pipeline message"]?.error).toContain("2 cycle(s) failed since 2026-12-01T10:00:00.000Z");
    expect(components["pipeline space"]?.error).toContain("UNAUTHENTICATED");
  });

  test("leaves an unreachable cluster to the Kafka probe, and forgets a failure once a cycle succeeds", () => {
    const health = createPipelineHealth(() => NOW);
    health.failed("message", new BreakerOpenError("kafka", 0));
    health.failed("log", new KafkaTopicError("hobom.logs", "missing"));
    health.succeeded("log");
    expect(health.components()).toEqual({});
  });
});
