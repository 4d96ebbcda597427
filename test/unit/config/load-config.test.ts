import { describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import type { Config } from "../../../src/config/config.ts";
import { type ConfigSources, loadConfig } from "../../../src/config/load-config.ts";

const REQUIRED = { HOBOM_GRPC_ADDR: "localhost:50051", HOBOM_GRPC_API_KEY: "main-key" };
const PEM = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");

function load(env: Record<string, string | undefined>, readFile?: ConfigSources["readFile"]): Config {
  const result = loadConfig({ env: { ...REQUIRED, ...env }, readFile });
  if (!result.ok) throw new Error(`unexpected problems:\n${result.problems.join("\n")}`);
  return result.config;
}

function problems(env: Record<string, string | undefined>, readFile?: ConfigSources["readFile"]): string[] {
  const result = loadConfig({ env, readFile });
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

describe("loadConfig", () => {
  test("fills every default from the two required variables", () => {
    expect(load({})).toEqual({
      grpc: {
        connections: { main: { address: "localhost:50051", apiKey: "main-key" }, space: undefined, angel: undefined, llm: undefined },
        tlsCaPem: undefined,
        tlsCertPath: undefined,
        callTimeoutMs: 10_000,
        findTimeoutMs: 30_000,
        llmTimeoutMs: 120_000,
        maxReceiveBytes: 67_108_864,
      },
      kafka: {
        brokers: ["localhost:9092"],
        acks: -1,
        clientId: "hobom-event-processor",
        writeTimeoutMs: 10_000,
        maxMessageBytes: 1_000_000,
        backoffMs: [1_000, 2_000, 5_000, 10_000],
        topics: { messages: "hobom.messages", logs: "hobom.logs", spaceEvents: "hobom.space-events", angelEvents: "hobom.angel-events" },
        security: { tls: undefined, sasl: undefined },
      },
      redis: {
        url: "redis://localhost:6379",
        username: undefined,
        password: undefined,
        tlsCaPem: undefined,
        timeoutMs: 3_000,
        keyPrefix: "",
        dlqTtlSeconds: 259_200,
        deliveryTtlSeconds: 604_800,
      },
      relay: {
        pollIntervalMs: 5_000,
        findBackoffMs: [10_000, 20_000, 40_000, 60_000],
        markConcurrency: 32,
        gcEveryRows: 1000,
        shutdownTimeoutMs: 10_000,
        leaseTtlMs: 15_000,
        healthProbeIntervalMs: 10_000,
        instanceId: `${hostname()}-${process.pid}`,
        lawAttempts: 3,
        lawBackoffMs: [500, 1_000],
      },
      http: { hostname: "0.0.0.0", port: 8082, internalApiKey: undefined, internalApiKeys: [], dlqAuth: true },
      logLevel: "info",
    });
  });

  test("names each missing required variable once, with an example", () => {
    const found = problems({});
    expect(found).toHaveLength(2);
    expect(found).toContain("HOBOM_GRPC_ADDR: is required (e.g. HOBOM_GRPC_ADDR=localhost:50051) unless HOBOM_PIPELINES_FILE declares the pipelines");
    expect(found).toContain("HOBOM_GRPC_API_KEY: is required (e.g. HOBOM_GRPC_API_KEY=s3cret) with HOBOM_GRPC_ADDR");
  });

  test("needs no HoBom backend when a pipelines file declares the pipelines, and runs no built-in pipeline then", () => {
    const result = loadConfig({ env: { HOBOM_PIPELINES_FILE: "/etc/hobom/pipelines.yaml" } });
    if (!result.ok) throw new Error(result.problems.join("\n"));
    const config = result.config;
    expect(config.grpc.connections).toEqual({ main: undefined, space: undefined, angel: undefined, llm: undefined });
    expect(problems({ HOBOM_PIPELINES_FILE: "/etc/hobom/pipelines.yaml", HOBOM_GRPC_ADDR: "localhost:50051" })).toEqual([
      "HOBOM_GRPC_API_KEY: is required (e.g. HOBOM_GRPC_API_KEY=s3cret) with HOBOM_GRPC_ADDR",
    ]);
  });

  test("treats an empty or blank required variable as missing", () => {
    expect(problems({ HOBOM_GRPC_ADDR: "", HOBOM_GRPC_API_KEY: "   " })).toHaveLength(2);
  });

  test("reports every malformed value at once, one line each naming the variable with an example", () => {
    const found = problems({
      ...REQUIRED,
      HOBOM_POLL_INTERVAL_MS: "5s",
      HOBOM_MARK_CONCURRENCY: "0",
      HOBOM_SPACE_GRPC_ADDR: "localhost",
      HOBOM_KAFKA_BROKER: "localhost:9092,kafka",
      HOBOM_KAFKA_ACKS: "2",
      HOBOM_HTTP_ADDR: "8082",
      HOBOM_FIND_BACKOFF_MS: "10000,,20000",
      HOBOM_REDIS_ADDR: "redis-host",
      HOBOM_LOG_LEVEL: "verbose",
    });
    const expected: [string, string][] = [
      ["HOBOM_POLL_INTERVAL_MS", "5000"],
      ["HOBOM_MARK_CONCURRENCY", "32"],
      ["HOBOM_SPACE_GRPC_ADDR", "localhost:50052"],
      ["HOBOM_KAFKA_BROKER", "localhost:9092,localhost:9093"],
      ["HOBOM_KAFKA_ACKS", "all"],
      ["HOBOM_HTTP_ADDR", ":8082"],
      ["HOBOM_FIND_BACKOFF_MS", "10000,20000,40000,60000"],
      ["HOBOM_REDIS_ADDR", "localhost:6379"],
      ["HOBOM_LOG_LEVEL", "info"],
    ];
    expect(found).toHaveLength(expected.length);
    for (const [name, example] of expected) {
      const line = found.find((problem) => problem.startsWith(`${name}: `));
      expect(line).toBeDefined();
      expect(line).toEndWith(`(e.g. ${name}=${example})`);
    }
    expect(found.find((line) => line.startsWith("HOBOM_POLL_INTERVAL_MS"))).toContain('"5s" is not a whole number');
    expect(found.find((line) => line.startsWith("HOBOM_KAFKA_BROKER"))).toContain('"kafka" is not host:port');
  });

  test("reads the acks as kafkajs numbers", () => {
    expect(load({ HOBOM_KAFKA_ACKS: "all" }).kafka.acks).toBe(-1);
    expect(load({ HOBOM_KAFKA_ACKS: "ALL" }).kafka.acks).toBe(-1);
    expect(load({ HOBOM_KAFKA_ACKS: "1" }).kafka.acks).toBe(1);
    expect(load({ HOBOM_KAFKA_ACKS: "0" }).kafka.acks).toBe(0);
  });

  test("gives each optional backend the main api key unless it has its own", () => {
    const config = load({
      HOBOM_SPACE_GRPC_ADDR: "space:50052",
      HOBOM_ANGEL_GRPC_ADDR: "angel:50053",
      HOBOM_ANGEL_GRPC_API_KEY: "angel-key",
      HOBOM_LLM_GRPC_ADDR: "llm:50054",
      HOBOM_LLM_GRPC_API_KEY: "",
    });
    expect(config.grpc.connections).toEqual({
      main: { address: "localhost:50051", apiKey: "main-key" },
      space: { address: "space:50052", apiKey: "main-key" },
      angel: { address: "angel:50053", apiKey: "angel-key" },
      llm: { address: "llm:50054", apiKey: "main-key" },
    });
  });

  test("leaves an optional backend out when its address is empty", () => {
    expect(load({ HOBOM_SPACE_GRPC_ADDR: "" }).grpc.connections.space).toBeUndefined();
  });

  test("reads the TLS certificate through the injected reader", () => {
    const paths: string[] = [];
    const config = load({ HOBOM_GRPC_TLS_CERT: "/etc/hobom/ca.pem" }, (path) => {
      paths.push(path);
      return PEM;
    });
    expect(paths).toEqual(["/etc/hobom/ca.pem"]);
    expect(config.grpc.tlsCertPath).toBe("/etc/hobom/ca.pem");
    expect(config.grpc.tlsCaPem?.equals(PEM)).toBe(true);
  });

  test("refuses a TLS certificate that cannot be read, instead of falling back to plaintext", () => {
    const found = problems({ ...REQUIRED, HOBOM_GRPC_TLS_CERT: "/missing.pem" }, () => {
      throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toStartWith("HOBOM_GRPC_TLS_CERT: ");
    expect(found[0]).toContain("/missing.pem");
    expect(found[0]).toContain("ENOENT");
  });

  test("refuses a TLS file that holds no PEM certificate", () => {
    const found = problems({ ...REQUIRED, HOBOM_GRPC_TLS_CERT: "/etc/hobom/ca.der" }, () => Buffer.from([0x30, 0x82, 0x01, 0x0a]));
    expect(found).toHaveLength(1);
    expect(found[0]).toStartWith("HOBOM_GRPC_TLS_CERT: ");
    expect(found[0]).toContain("no PEM certificate");
  });

  test("refuses a delivery record TTL shorter than the DLQ TTL", () => {
    const found = problems({ ...REQUIRED, HOBOM_DLQ_TTL_SECONDS: "259200", HOBOM_DELIVERY_RECORD_TTL_SECONDS: "86400" });
    expect(found).toHaveLength(1);
    expect(found[0]).toStartWith("HOBOM_DELIVERY_RECORD_TTL_SECONDS: ");
    expect(found[0]).toContain("HOBOM_DLQ_TTL_SECONDS");
    expect(load({ HOBOM_DLQ_TTL_SECONDS: "3600", HOBOM_DELIVERY_RECORD_TTL_SECONDS: "3600" }).redis.deliveryTtlSeconds).toBe(3600);
  });

  test("reads the HTTP address, the Redis address, the key prefix and the DLQ auth switch", () => {
    const config = load({
      HOBOM_HTTP_ADDR: "127.0.0.1:9000",
      HOBOM_REDIS_ADDR: "rediss://:pw@cache.internal:6380/2",
      HOBOM_REDIS_KEY_PREFIX: "staging:",
      HOBOM_DLQ_AUTH: "off",
      HOBOM_INTERNAL_API_KEY: "internal",
    });
    expect(config.http).toEqual({ hostname: "127.0.0.1", port: 9000, internalApiKey: "internal", internalApiKeys: [], dlqAuth: false });
    expect(config.redis.url).toBe("rediss://:pw@cache.internal:6380/2");
    expect(config.redis.keyPrefix).toBe("staging:");
  });

  test("returns a frozen configuration, all the way down", () => {
    const config = load({ HOBOM_SPACE_GRPC_ADDR: "space:50052" });
    for (const part of [
      config,
      config.grpc,
      config.grpc.connections,
      config.grpc.connections.main,
      config.kafka,
      config.kafka.brokers,
      config.kafka.topics,
      config.relay.findBackoffMs,
      config.http,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(() => {
      (config as { logLevel: string }).logLevel = "debug";
    }).toThrow(TypeError);
    expect(() => (config.kafka.brokers as string[]).push("other:9092")).toThrow(TypeError);
  });
});
