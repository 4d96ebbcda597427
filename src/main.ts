/**
 * The composition root: environment → config → adapters → pipelines → HTTP, under one
 * AbortController. Nothing else in src/ reads the environment, opens a client or starts a timer.
 */
import { existsSync, readFileSync } from "node:fs";
import { helpText } from "./cli/help.ts";
import { COMMIT, VERSION } from "./cli/version.ts";
import type { Config, ConnectionName } from "./config/config.ts";
import { parseDotenv } from "./config/dotenv.ts";
import { loadConfig } from "./config/load-config.ts";
import { createDeadLetterStore } from "./dlq/dead-letter-store.ts";
import { createDeliveryLedger } from "./redis/delivery-ledger.ts";
import { createLeaseStore } from "./redis/lease-store.ts";
import { createDlqEntries } from "./dlq/dlq-entries.ts";
import { knownPrefixes } from "./dlq/dlq-key.ts";
import { keyScheme } from "./redis/keys.ts";
import { connectRedis } from "./redis/client.ts";
import { createReplayService } from "./dlq/replay.ts";
import { BACKEND_NAMES, type BackendChannels, createBackendChannels } from "./grpc/channels.ts";
import { createOutboxSource } from "./grpc/outbox-source.ts";
import { loadFindDecoders, loadHoBomServices } from "./grpc/protos.ts";
import { createStudyMaterialService } from "./grpc/study-material.ts";
import { apiKeyCheck } from "./http/api-key.ts";
import { createHttpApp, MAX_BODY_BYTES } from "./http/app.ts";
import { createDlqRoutes } from "./http/dlq-routes.ts";
import { createHealthCheck, type Probe } from "./http/health.ts";
import { createHealthRoutes } from "./http/health-routes.ts";
import { createPipelineHealth } from "./http/pipeline-health.ts";
import { createMetricsRoutes } from "./http/metrics-routes.ts";
import { createKafkaSink } from "./kafka/producer.ts";
import { kafkaSecurity } from "./kafka/security.ts";
import { type Dependency, describeError } from "./errors.ts";
import { createOutages } from "./observability/outages.ts";
import { createLogger, type Logger } from "./observability/logger.ts";
import { createMetrics } from "./observability/metrics.ts";
import type { Pipeline } from "./pipelines/pipeline.ts";
import { enabledPipelines } from "./pipelines/table.ts";
import { withBreaker } from "./relay/breaker.ts";
import { createGcPacer } from "./relay/gc-pacing.ts";
import { runRelay } from "./relay/relay.ts";
import { sleep } from "./relay/sleep.ts";

/** Exit code of a start refused for bad configuration. */
const EXIT_CONFIG = 2;
/** How long a health probe may take. */
const PROBE_TIMEOUT_MS = 2000;
/** Of the shutdown timeout, what the closes (Kafka, Redis, gRPC, HTTP) get after the cycles, at most. */
const CLOSE_RESERVE_MS = 2000;

/** The environment: real variables win over a `.env` file in the working directory. */
function readEnvironment(): { env: Record<string, string | undefined>; problems: string[] } {
  if (!existsSync(".env")) return { env: { ...process.env }, problems: [] };
  const { values, problems } = parseDotenv(readFileSync(".env", "utf8"));
  return { env: { ...values, ...process.env }, problems };
}

/** Every adapter, built from the config; nothing connects until used. */
function buildAdapters(config: Config, log: Logger) {
  const metrics = createMetrics({
    withProcessMetrics: true,
    pipelines: enabledPipelines(config.grpc.connections).map((pipeline) => pipeline.name),
    dlqPrefixes: knownPrefixes(config.redis.keyPrefix),
  });
  const channels = createBackendChannels({
    services: loadHoBomServices(),
    decoders: loadFindDecoders(),
    connections: config.grpc.connections,
    tlsCaPem: config.grpc.tlsCaPem,
    maxReceiveBytes: config.grpc.maxReceiveBytes,
  });
  const redis = connectRedis({
    url: config.redis.url,
    username: config.redis.username,
    password: config.redis.password,
    tlsCaPem: config.redis.tlsCaPem,
    commandTimeoutMs: config.redis.timeoutMs,
  });
  const kafkaLog = log.child({ component: "kafka" });
  const kafka = createKafkaSink({
    ...config.kafka,
    security: kafkaSecurity(config.kafka.security),
    log: kafkaLog,
    onPartitionChange: ({ topic, partition, closed, error }) => {
      if (closed) kafkaLog.warn("kafka partition unreachable; its rows wait, the other partitions keep flowing", { topic, partition, error: describeError(error) });
      else kafkaLog.info("kafka partition reachable again", { topic, partition });
    },
  });
  const sink = withBreaker(kafka, {
    backoffMs: config.kafka.backoffMs,
    onChange: (open, cause) => {
      metrics.breakerOpen(open);
      if (open) log.error("kafka unreachable; pipelines wait and nothing is marked FAILED", { error: cause });
      else log.info("kafka reachable again");
    },
  });
  const probes: Record<string, Probe> = {
    redis: async () => void (await redis.send("PING", [])),
    kafka: () => kafka.ping(PROBE_TIMEOUT_MS),
  };
  for (const connection of configuredConnections(config)) {
    probes[BACKEND_NAMES[connection]] = () => channels.waitReady(connection, PROBE_TIMEOUT_MS);
  }
  return { metrics, channels, redis, kafka, sink, probes };
}

function configuredConnections(config: Config): ConnectionName[] {
  return (Object.keys(BACKEND_NAMES) as ConnectionName[]).filter((name) => config.grpc.connections[name] !== undefined);
}

async function run(config: Config, log: Logger): Promise<number> {
  const controller = new AbortController();
  const { metrics, channels, redis, kafka, sink, probes } = buildAdapters(config, log);
  const keys = keyScheme(config.redis.keyPrefix);
  const pipelines = enabledPipelines(config.grpc.connections);
  const ledger = createDeliveryLedger({ redis, keys, ttlSeconds: config.redis.deliveryTtlSeconds });
  const studyMaterial = createStudyMaterialService({ channels, llmTimeoutMs: config.grpc.llmTimeoutMs, callTimeoutMs: config.grpc.callTimeoutMs });
  const lawSteps = { studyMaterial, generateAttempts: config.relay.lawAttempts, generateBackoffMs: config.relay.lawBackoffMs };
  const entries = createDlqEntries({ redis, keys });
  const pipelineHealth = createPipelineHealth();
  const outages = createOutages<Dependency>({ log, count: (dependency) => metrics.dependencyError(dependency) });
  const owned = new Set<string>();
  const ownership = () => Object.fromEntries(pipelines.map((pipeline) => [pipeline.name, owned.has(pipeline.name) ? "owned" : "standby"] as const));

  const http = createHttpApp({
    log,
    routes: [
      createHealthRoutes({
        check: createHealthCheck({ probes, timeoutMs: PROBE_TIMEOUT_MS, known: pipelineHealth.components }),
        instanceId: config.relay.instanceId,
        ownership,
      }),
      createMetricsRoutes({
        registry: metrics.registry,
        beforeScrape: async () => {
          const unavailable = kafka.unavailablePartitions();
          for (const topic of new Set([...Object.values(config.kafka.topics), ...unavailable.keys()])) {
            metrics.unavailablePartitions.set({ topic }, unavailable.get(topic) ?? 0);
          }
          // One SCAN over every DLQ key, counted by prefix.
          const prefixes = knownPrefixes(keys.namespace);
          const { items } = await entries.list({ matchPrefixes: prefixes, count: 1000, maxKeys: 100_000 });
          for (const prefix of prefixes) metrics.dlqEntries.set({ prefix }, items.filter((key) => key.startsWith(prefix)).length);
        },
      }),
      createDlqRoutes({
        entries,
        namespace: keys.namespace,
        checkApiKey: apiKeyCheck(config.http.internalApiKey, config.http.dlqAuth),
        replay: createReplayService({
          redis,
          keys,
          entries,
          ledger,
          sink,
          topics: config.kafka.topics,
          sourceFor: (pipeline) => (pipelines.includes(pipeline) ? sourceOf(pipeline, channels, config) : undefined),
          law: config.grpc.connections.llm ? lawSteps : undefined,
          // Long enough for a law replay: every Generate attempt at its deadline, then the save.
          lockTtlMs: config.relay.lawAttempts * config.grpc.llmTimeoutMs + 2 * config.grpc.callTimeoutMs + 60_000,
          log: log.child({ component: "dlq" }),
        }),
      }),
    ],
  });
  if (!config.http.dlqAuth) log.warn("HOBOM_DLQ_AUTH=off: the DLQ routes accept requests without an api key");
  else if (config.http.internalApiKey === undefined) log.warn("HOBOM_INTERNAL_API_KEY is not set: the DLQ routes answer 401");
  const server = http.listen({ hostname: config.http.hostname, port: config.http.port, maxRequestBodySize: MAX_BODY_BYTES });

  const stop = (signalName: string) => {
    if (controller.signal.aborted) return;
    log.info("stopping: finishing the cycles in flight", { signal: signalName, timeoutMs: config.relay.shutdownTimeoutMs });
    controller.abort(new Error(`received ${signalName}`));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  log.info("hobom-event-processor started", {
    version: VERSION,
    instance: config.relay.instanceId,
    pipelines: pipelines.map((pipeline) => pipeline.name),
    http: `${config.http.hostname}:${server.server?.port}`,
    kafka: config.kafka.brokers,
    tls: config.grpc.tlsCertPath !== undefined,
  });
  kafka.connect().catch((error) => log.warn("kafka not reachable at start; will retry on the first send", { error }));

  const relay = runRelay(
    {
      config,
      pipelines,
      channels,
      sink,
      ledger,
      dlq: createDeadLetterStore({ redis, keys, ttlSeconds: config.redis.dlqTtlSeconds }),
      leases: createLeaseStore({ redis, keys }),
      studyMaterial,
      gc: createGcPacer({ everyRows: config.relay.gcEveryRows, collect: () => Bun.gc(true) }),
      log,
      metrics,
      outages,
      cycles: pipelineHealth,
      onOwnership: (pipeline, isOwned) => {
        if (isOwned) owned.add(pipeline);
        else owned.delete(pipeline);
        metrics.pipelineOwned(pipeline, isOwned);
      },
    },
    controller.signal,
  );

  await new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve(), { once: true }));
  // HOBOM_SHUTDOWN_TIMEOUT_MS bounds the whole stop, the closes included: a producer whose brokers
  // hang would otherwise keep the process alive until systemd's SIGKILL.
  const timeoutMs = config.relay.shutdownTimeoutMs;
  const hardStop = setTimeout(() => {
    log.error("shutdown timeout reached with closes still waiting; exiting now", { timeoutMs });
    process.exit(1);
  }, timeoutMs);
  const closeReserveMs = Math.min(CLOSE_RESERVE_MS, Math.floor(timeoutMs / 4));
  const finished = await Promise.race([relay.then(() => true), sleep(timeoutMs - closeReserveMs).then(() => false)]);
  if (!finished) {
    log.error("cycles still running at the shutdown timeout; stopping anyway (a batch sent but not yet recorded may be sent again after the restart)", { timeoutMs });
  }
  await Promise.allSettled([server.stop(true), kafka.close(), Promise.resolve().then(() => redis.close()), Promise.resolve().then(() => channels.close())]);
  clearTimeout(hardStop);
  log.info("stopped");
  return finished ? 0 : 1;
}

function sourceOf(pipeline: Pipeline, channels: BackendChannels, config: Config) {
  return createOutboxSource({
    channels,
    find: pipeline.find,
    mark: pipeline.mark,
    findTimeoutMs: config.grpc.findTimeoutMs,
    callTimeoutMs: config.grpc.callTimeoutMs,
  });
}

/** `check-config`: the configuration is valid and every dependency answers. */
async function checkConfig(config: Config): Promise<number> {
  const log = createLogger({ level: "error", write: () => {} });
  const { channels, redis, kafka, probes } = buildAdapters(config, log);
  const report = await createHealthCheck({ probes, timeoutMs: 5000 })();
  for (const [name, component] of Object.entries(report.components)) {
    process.stdout.write(`${component.status === "healthy" ? "ok  " : "FAIL"} ${name} (${component.latencyMs} ms)${component.error ? `: ${component.error}` : ""}\n`);
  }
  await Promise.allSettled([kafka.close(), Promise.resolve().then(() => redis.close()), Promise.resolve().then(() => channels.close())]);
  return report.status === "healthy" ? 0 : 1;
}

/**
 * `healthcheck`: asks this host's running service for /health/ready; for container health checks
 * in images that have no shell or curl.
 */
async function healthcheck(config: Config): Promise<number> {
  const host = config.http.hostname === "0.0.0.0" || config.http.hostname === "::" ? "127.0.0.1" : config.http.hostname;
  try {
    const response = await fetch(`http://${host}:${config.http.port}/health/ready`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS + 1000) });
    process.stdout.write(`${response.status} ${await response.text()}\n`);
    return response.status === 200 ? 0 : 1;
  } catch (error) {
    process.stdout.write(`no answer from ${host}:${config.http.port}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function main(args: string[]): Promise<number> {
  const command = args[0];
  if (command === "--version" || command === "-v") {
    process.stdout.write(`hobom-event-processor ${VERSION} (${COMMIT})\n`);
    return 0;
  }
  if (command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(helpText(VERSION));
    return 0;
  }
  if (command !== undefined && command !== "check-config" && command !== "healthcheck" && command !== "run") {
    process.stderr.write(`hobom-event-processor: unknown command "${command}"; see --help\n`);
    return EXIT_CONFIG;
  }
  const { env, problems: envProblems } = readEnvironment();
  const result = loadConfig({ env });
  const problems = [...envProblems, ...(result.ok ? [] : result.problems)];
  if (!result.ok || problems.length > 0) {
    process.stderr.write(`hobom-event-processor: the configuration has ${problems.length} problem(s):\n`);
    for (const problem of problems) process.stderr.write(`  - ${problem}\n`);
    return command === "check-config" ? 1 : EXIT_CONFIG;
  }
  if (command === "check-config") {
    process.stdout.write("ok   configuration\n");
    return checkConfig(result.config);
  }
  if (command === "healthcheck") return healthcheck(result.config);
  return run(result.config, createLogger({ level: result.config.logLevel }));
}

process.exit(await main(process.argv.slice(2)));
