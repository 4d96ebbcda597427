/**
 * Turns the environment into a frozen {@link Config}, or into one line per problem (the
 * variable, what was wrong, an example) so that a bad start says everything at once.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { BackendTarget, Config } from "./config.ts";
import { ValueProblem } from "./parsers.ts";
import { type Variable, VARIABLES } from "./variables.ts";

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Where the environment comes from; injected so tests need no process state. */
export interface ConfigSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file the configuration names (the TLS certificate). */
  readonly readFile?: (path: string) => Buffer;
}

/** Validates every variable and cross-field rule; never throws for an operator's mistake. */
export function loadConfig({ env, readFile = (path) => readFileSync(path) }: ConfigSources): ConfigResult {
  const problems: string[] = [];
  function read<T>(variable: Variable<T>): T | undefined {
    const raw = env[variable.name];
    const value = raw === undefined || (raw.trim() === "" && variable.fallback !== "") ? variable.fallback : raw;
    if (value === undefined) {
      if (variable.required) problems.push(`${variable.name}: is required (e.g. ${variable.name}=${variable.example})`);
      return undefined;
    }
    try {
      return variable.parse(value);
    } catch (error) {
      if (!(error instanceof ValueProblem)) throw error;
      problems.push(`${variable.name}: ${error.message} (e.g. ${variable.name}=${variable.example})`);
      return undefined;
    }
  }
  const v = VARIABLES;
  const mainAddress = read(v.grpcAddr);
  const mainKey = read(v.grpcApiKey);
  const target = (address: string | undefined, key: string | undefined): BackendTarget | undefined =>
    address === undefined || (key ?? mainKey) === undefined ? undefined : { address, apiKey: (key ?? mainKey) as string };

  const main = target(mainAddress, undefined);
  const space = target(read(v.spaceAddr), read(v.spaceApiKey));
  const angel = target(read(v.angelAddr), read(v.angelApiKey));
  const llm = target(read(v.llmAddr), read(v.llmApiKey));

  const tlsCertPath = read(v.tlsCert);
  let tlsCaPem: Buffer | undefined;
  if (tlsCertPath !== undefined) {
    try {
      tlsCaPem = readFile(tlsCertPath);
      if (!tlsCaPem.toString("latin1").includes("-----BEGIN CERTIFICATE-----")) {
        problems.push(`${v.tlsCert.name}: ${tlsCertPath} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
      }
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      problems.push(`${v.tlsCert.name}: cannot read ${tlsCertPath} (${reason}); fix the path or unset it for plaintext`);
    }
  }

  const acks = read(v.kafkaAcks);
  const dlqTtlSeconds = read(v.dlqTtlSeconds);
  const deliveryTtlSeconds = read(v.deliveryTtlSeconds);
  if (dlqTtlSeconds !== undefined && deliveryTtlSeconds !== undefined && deliveryTtlSeconds < dlqTtlSeconds) {
    problems.push(
      `${v.deliveryTtlSeconds.name}: ${deliveryTtlSeconds} is shorter than ${v.dlqTtlSeconds.name} (${dlqTtlSeconds}); a replayed entry could be published twice`,
    );
  }
  const httpAddr = read(v.httpAddr);
  const config = {
    grpc: {
      connections: { main, space, angel, llm },
      tlsCaPem,
      tlsCertPath,
      callTimeoutMs: read(v.grpcTimeoutMs),
      findTimeoutMs: read(v.findTimeoutMs),
      llmTimeoutMs: read(v.llmTimeoutMs),
      maxReceiveBytes: read(v.grpcMaxReceiveBytes),
    },
    kafka: {
      brokers: read(v.kafkaBrokers),
      acks: acks === "all" ? -1 : acks === "1" ? 1 : 0,
      clientId: read(v.kafkaClientId),
      writeTimeoutMs: read(v.kafkaWriteTimeoutMs),
      maxMessageBytes: read(v.kafkaMaxMessageBytes),
      backoffMs: read(v.kafkaBackoffMs),
      topics: {
        messages: read(v.topicMessages),
        logs: read(v.topicLogs),
        spaceEvents: read(v.topicSpaceEvents),
        angelEvents: read(v.topicAngelEvents),
      },
    },
    redis: {
      url: read(v.redisAddr),
      password: read(v.redisPassword),
      keyPrefix: read(v.redisKeyPrefix),
      dlqTtlSeconds,
      deliveryTtlSeconds,
    },
    relay: {
      pollIntervalMs: read(v.pollIntervalMs),
      findBackoffMs: read(v.findBackoffMs),
      markConcurrency: read(v.markConcurrency),
      gcEveryRows: read(v.gcEveryRows),
      shutdownTimeoutMs: read(v.shutdownTimeoutMs),
      leaseTtlMs: read(v.leaseTtlMs),
      instanceId: read(v.instanceId) ?? defaultInstanceId(),
      lawAttempts: read(v.lawAttempts),
      lawBackoffMs: read(v.lawBackoffMs),
    },
    http: {
      hostname: httpAddr?.hostname,
      port: httpAddr?.port,
      internalApiKey: read(v.internalApiKey),
      dlqAuth: read(v.dlqAuth) !== "off",
    },
    logLevel: read(v.logLevel),
  };
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: deepFreeze(config) as Config };
}

function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
