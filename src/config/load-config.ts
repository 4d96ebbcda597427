/**
 * Turns the environment into a frozen {@link Config}, or into one line per problem (the
 * variable, what was wrong, an example) so that a bad start says everything at once.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { BackendTarget, Config } from "./config.ts";
import { ValueProblem } from "./parsers.ts";
import { VARIABLES, type Variable } from "./variables.ts";

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
  const pipelinesFile = read(v.pipelinesFile);
  // The built-in pipelines are optional only for a relay whose pipelines come from a file.
  const blank = (name: string) => (env[name] ?? "").trim() === "";
  const builtIn = !blank(v.grpcAddr.name) || pipelinesFile === undefined;
  if (blank(v.grpcAddr.name) && pipelinesFile === undefined) {
    problems.push(`${v.grpcAddr.name}: is required (e.g. ${v.grpcAddr.name}=${v.grpcAddr.example}) unless ${v.pipelinesFile.name} declares the pipelines`);
  }
  if (builtIn && blank(v.grpcApiKey.name)) {
    problems.push(`${v.grpcApiKey.name}: is required (e.g. ${v.grpcApiKey.name}=${v.grpcApiKey.example}) with ${v.grpcAddr.name}`);
  }
  const target = (address: string | undefined, key: string | undefined): BackendTarget | undefined =>
    address === undefined || (key ?? mainKey) === undefined ? undefined : { address, apiKey: (key ?? mainKey) as string };

  const main = target(mainAddress, undefined);
  const space = target(read(v.spaceAddr), read(v.spaceApiKey));
  const angel = target(read(v.angelAddr), read(v.angelApiKey));
  const llm = target(read(v.llmAddr), read(v.llmApiKey));

  /** A PEM file the configuration names, read now: a start never fails later for an unreadable file. */
  const pem = (variable: Variable<string>, path: string | undefined, marker: RegExp, what: string): Buffer | undefined => {
    if (path === undefined) return undefined;
    try {
      const contents = readFile(path);
      if (marker.test(contents.toString("latin1"))) return contents;
      problems.push(`${variable.name}: ${path} holds no PEM ${what} (expected a -----BEGIN ...----- block)`);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
      problems.push(`${variable.name}: cannot read ${path} (${reason}); fix the path or unset it`);
    }
    return undefined;
  };
  const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
  const PRIVATE_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

  const tlsCertPath = read(v.tlsCert);
  const tlsCaPem = pem(v.tlsCert, tlsCertPath, CERTIFICATE, "certificate");

  const acks = read(v.kafkaAcks);
  const kafkaTlsFiles = {
    caPem: pem(v.kafkaTlsCaFile, read(v.kafkaTlsCaFile), CERTIFICATE, "certificate"),
    certPem: pem(v.kafkaTlsCertFile, read(v.kafkaTlsCertFile), CERTIFICATE, "certificate"),
    keyPem: pem(v.kafkaTlsKeyFile, read(v.kafkaTlsKeyFile), PRIVATE_KEY, "private key"),
    servername: read(v.kafkaTlsServername),
  };
  const kafkaTls = read(v.kafkaTls) === "on";
  for (const variable of [v.kafkaTlsCaFile, v.kafkaTlsCertFile, v.kafkaTlsKeyFile, v.kafkaTlsServername]) {
    if (!kafkaTls && env[variable.name]) problems.push(`${variable.name}: is set but ${v.kafkaTls.name} is off; set ${v.kafkaTls.name}=on or unset it`);
  }
  if ((env[v.kafkaTlsCertFile.name] === undefined) !== (env[v.kafkaTlsKeyFile.name] === undefined)) {
    problems.push(`${v.kafkaTlsCertFile.name} and ${v.kafkaTlsKeyFile.name}: mutual TLS needs both the client certificate and its key`);
  }
  const saslMechanism = read(v.kafkaSaslMechanism);
  const saslUsername = read(v.kafkaSaslUsername);
  const saslPassword = read(v.kafkaSaslPassword);
  if (saslMechanism !== undefined && (saslUsername === undefined || saslPassword === undefined)) {
    problems.push(`${v.kafkaSaslMechanism.name}: ${saslMechanism} needs ${v.kafkaSaslUsername.name} and ${v.kafkaSaslPassword.name}`);
  }
  if (saslMechanism === undefined && (saslUsername !== undefined || saslPassword !== undefined)) {
    problems.push(
      `${v.kafkaSaslUsername.name}/${v.kafkaSaslPassword.name}: are set but ${v.kafkaSaslMechanism.name} is not; name the mechanism (plain, scram-sha-256, scram-sha-512)`,
    );
  }
  const redisUrl = read(v.redisAddr);
  const redisTlsCaFile = read(v.redisTlsCaFile);
  if (redisTlsCaFile !== undefined && redisUrl !== undefined && !redisUrl.startsWith("rediss://")) {
    problems.push(`${v.redisTlsCaFile.name}: is set but ${v.redisAddr.name} is not a rediss:// address; use rediss://host:port for TLS`);
  }
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
      security: {
        tls: kafkaTls ? kafkaTlsFiles : undefined,
        sasl:
          saslMechanism !== undefined && saslUsername !== undefined && saslPassword !== undefined
            ? { mechanism: saslMechanism, username: saslUsername, password: saslPassword }
            : undefined,
      },
      topics: {
        messages: read(v.topicMessages),
        logs: read(v.topicLogs),
        spaceEvents: read(v.topicSpaceEvents),
        angelEvents: read(v.topicAngelEvents),
      },
    },
    redis: {
      url: redisUrl,
      username: read(v.redisUsername),
      password: read(v.redisPassword),
      tlsCaPem: pem(v.redisTlsCaFile, redisTlsCaFile, CERTIFICATE, "certificate"),
      timeoutMs: read(v.redisTimeoutMs),
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
      healthProbeIntervalMs: read(v.healthProbeIntervalMs),
      instanceId: read(v.instanceId) ?? defaultInstanceId(),
      lawAttempts: read(v.lawAttempts),
      lawBackoffMs: read(v.lawBackoffMs),
    },
    http: {
      hostname: httpAddr?.hostname,
      port: httpAddr?.port,
      internalApiKey: read(v.internalApiKey),
      internalApiKeys: read(v.internalApiKeys) ?? [],
      dlqAuth: read(v.dlqAuth) !== "off",
    },
    pipelinesFile,
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
