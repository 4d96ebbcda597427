/**
 * The composition root: environment → config → adapters → pipelines → HTTP, under one
 * AbortController. Nothing else in src/ reads the environment, opens a client or starts a timer.
 */
import type { Config } from "./config/config.ts";
import { dispatch } from "./edge/cli/dispatch.ts";
import { EXIT_CONFIG } from "./edge/cli/exit-codes.ts";
import { COMMIT, VERSION } from "./edge/cli/version.ts";
import { createDlqService } from "./edge/dlq-service.ts";
import { createHealthCheck, type Probe } from "./edge/http/health.ts";
import { ListenError } from "./edge/http/listen-error.ts";
import { pipelineCatalog } from "./edge/http/pipeline-catalog.ts";
import { createPipelineHealth } from "./edge/http/pipeline-health.ts";
import { trackPipelineStates } from "./edge/http/pipeline-states.ts";
import { startHttpServer } from "./edge/http/server.ts";
import { withBreaker } from "./engine/breaker.ts";
import { describeError } from "./engine/errors.ts";
import { createGcPacer } from "./engine/gc-pacing.ts";
import { createReplayer } from "./engine/replay.ts";
import { runPipelines } from "./engine/run.ts";
import { sleep } from "./engine/sleep.ts";
import { createBackendChannels } from "./grpc/channels.ts";
import { loadHoBomServices } from "./grpc/protos.ts";
import { hobomPipelines } from "./hobom/build.ts";
import { hobomTargets } from "./hobom/connections.ts";
import { PIPELINES } from "./hobom/pipelines.ts";
import { watchDependencies } from "./observability/dependency-watch.ts";
import { createHealthMetrics } from "./observability/health-metrics.ts";
import { createLogger, type Logger } from "./observability/logger.ts";
import { createMetrics } from "./observability/metrics.ts";
import { createOutages } from "./observability/outages.ts";
import { createOutboxMetrics } from "./observability/outbox-metrics.ts";
import { buildDeclaredPipelines } from "./pipelines/build.ts";
import type { Declaration } from "./pipelines/file.ts";
import { kafkaSecurity } from "./sinks/kafka/security.ts";
import { createKafkaSink } from "./sinks/kafka/sink.ts";
import { createStudyMaterialService } from "./sinks/study-material/client.ts";
import { createStudyMaterialSink } from "./sinks/study-material/sink.ts";
import { loadFindDecoders } from "./sources/grpc-outbox/find-decoder.ts";
import { createDeliveryLedger } from "./state/delivery-ledger.ts";
import { createDlqEntries } from "./state/dlq-entries.ts";
import { createDeadLetterStore } from "./state/dlq-store.ts";
import { keyScheme } from "./state/keys.ts";
import { createLeaseStore } from "./state/lease-store.ts";
import { connectRedis } from "./state/redis.ts";

/** The built-in pipelines' names and DLQ prefixes, which a pipelines file may not take. */
const RESERVED = { names: PIPELINES.map((row) => row.name), dlqPrefixes: PIPELINES.map((row) => row.dlqPrefix) };
/** How long a health probe may take. */
const PROBE_TIMEOUT_MS = 2000;
/** Of the shutdown timeout, what the closes (Kafka, Redis, gRPC, HTTP) get after the cycles, at most. */
const CLOSE_RESERVE_MS = 2000;

/** Every adapter and pipeline, built from the config; nothing connects until used. */
function build(config: Config, declarations: readonly Declaration[], log: Logger) {
  const keys = keyScheme(config.redis.keyPrefix);
  const catalog = pipelineCatalog(PIPELINES, declarations);
  const metrics = createMetrics({
    withProcessMetrics: true,
    pipelines: [...PIPELINES.filter((row) => row.needs.every((name) => config.grpc.connections[name])), ...declarations].map((entry) => entry.name),
    dlqPrefixes: catalog.map((entry) => `${keys.namespace}${entry.dlqPrefix}`),
  });
  const targets = hobomTargets(config.grpc.connections);
  const services = loadHoBomServices();
  const decoders = loadFindDecoders();
  const channels = createBackendChannels({
    services,
    decoders,
    connections: targets,
    tlsCaPem: config.grpc.tlsCaPem,
    maxReceiveBytes: config.grpc.maxReceiveBytes,
  });
  const redis = connectRedis({ ...config.redis, commandTimeoutMs: config.redis.timeoutMs });
  const kafkaLog = log.child({ component: "kafka" });
  const kafka = createKafkaSink({
    ...config.kafka,
    security: kafkaSecurity(config.kafka.security),
    log: kafkaLog,
    onPartitionChange: ({ topic, partition, closed, error }) => {
      if (closed)
        kafkaLog.warn("kafka partition unreachable; its rows wait, the other partitions keep flowing", { topic, partition, error: describeError(error) });
      else kafkaLog.info("kafka partition reachable again", { topic, partition });
    },
  });
  const kafkaSink = withBreaker(kafka, {
    dependency: "kafka",
    backoffMs: config.kafka.backoffMs,
    onChange: (open, cause) => {
      metrics.breakerOpen(open);
      if (open) log.error("kafka unreachable; pipelines wait and nothing is marked FAILED", { error: describeError(cause) });
      else log.info("kafka reachable again");
    },
  });
  const studyMaterial = config.grpc.connections.llm
    ? withBreaker(
        createStudyMaterialSink({
          service: createStudyMaterialService({ channels, llmTimeoutMs: config.grpc.llmTimeoutMs, callTimeoutMs: config.grpc.callTimeoutMs }),
          generateAttempts: config.relay.lawAttempts,
          generateBackoffMs: config.relay.lawBackoffMs,
          log: log.child({ component: "study-material" }),
        }),
        { dependency: "grpc", backoffMs: config.kafka.backoffMs },
      )
    : undefined;
  const declared = buildDeclaredPipelines(declarations, {
    "grpc-outbox": { config, services, decoders, log },
    "sql-outbox": { config, report: createOutboxMetrics(metrics.registry), log },
    kafka: { sink: kafkaSink },
  });
  const pipelines = [...hobomPipelines({ config, channels, kafka: kafkaSink, studyMaterial, log }), ...declared.pipelines];
  const probes: Record<string, Probe> = {
    redis: async () => void (await redis.send("PING", [])),
    kafka: () => kafka.ping(PROBE_TIMEOUT_MS),
  };
  for (const [connection, target] of Object.entries(targets)) probes[target.name] = () => channels.waitReady(connection, PROBE_TIMEOUT_MS);
  for (const [name, probe] of Object.entries(declared.probes)) probes[name] = () => probe(PROBE_TIMEOUT_MS);
  const close = () =>
    Promise.allSettled([kafka.close(), Promise.resolve().then(() => redis.close()), Promise.resolve().then(() => channels.close()), declared.close()]);
  return { keys, catalog, metrics, redis, kafka, pipelines, probes, background: declared.background, close };
}

async function run(config: Config, declarations: readonly Declaration[], log: Logger, startup: Record<string, unknown>): Promise<number> {
  const controller = new AbortController();
  const { keys, catalog, metrics, redis, kafka, pipelines, probes, background, close } = build(config, declarations, log);
  const ledger = createDeliveryLedger({ redis, keys, ttlSeconds: config.redis.deliveryTtlSeconds });
  const leases = createLeaseStore({ redis, keys });
  const entries = createDlqEntries({ redis, keys });
  const pipelineHealth = createPipelineHealth();
  const pipelineStates = trackPipelineStates(pipelineHealth);
  const healthMetrics = createHealthMetrics({ registry: metrics.registry, version: VERSION, commit: COMMIT, dependencies: Object.keys(probes) });
  const outages = createOutages({ log, count: (dependency) => metrics.dependencyError(dependency), onChange: healthMetrics.dependencyUp });
  const owned = new Set<string>();

  const dlq = createDlqService({
    entries,
    namespace: keys.namespace,
    catalog,
    running: new Map(pipelines.map((pipeline) => [pipeline.name, pipeline])),
    howToEnable: (name) => `configure its backend address (the ${PIPELINES.find((row) => row.name === name)?.needs.join(" and ")} connection)`,
    replay: createReplayer({
      letters: entries,
      ledger,
      leases,
      // Long enough for a law replay: every Generate attempt at its deadline, then the save.
      lockTtlMs: config.relay.lawAttempts * config.grpc.llmTimeoutMs + 2 * config.grpc.callTimeoutMs + 60_000,
      log: log.child({ component: "dlq" }),
      metrics,
    }),
  });
  let server: ReturnType<typeof startHttpServer>;
  try {
    server = startHttpServer({
      config,
      log,
      metrics,
      redis,
      keys,
      entries,
      dlq,
      catalog,
      running: pipelines.map((pipeline) => ({ name: pipeline.name, shared: pipeline.source.sharing === "shared" })),
      states: pipelineStates,
      health: createHealthCheck({ probes, timeoutMs: PROBE_TIMEOUT_MS, known: pipelineHealth.components, outages: outages.current }),
      ownership: () => Object.fromEntries(pipelines.map((pipeline) => [pipeline.name, owned.has(pipeline.name) ? "owned" : "standby"] as const)),
      beforeScrape: () => {
        const unavailable = kafka.unavailablePartitions();
        for (const topic of new Set([...Object.values(config.kafka.topics), ...unavailable.keys()]))
          metrics.unavailablePartitions.set({ topic }, unavailable.get(topic) ?? 0);
      },
    });
  } catch (error) {
    // The port is taken (or not ours to take): one line that says what to do, nothing else.
    if (!(error instanceof ListenError)) throw error;
    process.stderr.write(`hobom-event-processor: ${error.message}\n`);
    await close();
    return EXIT_CONFIG;
  }

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
    http: `${config.http.hostname}:${server.port}`,
    kafka: config.kafka.brokers,
    tls: config.grpc.tlsCertPath !== undefined,
    ...startup,
  });
  kafka.connect().catch((error) => log.warn("kafka not reachable at start; will retry on the first send", { error: describeError(error) }));

  const running = runPipelines(
    {
      pipelines,
      ledger,
      dlq: createDeadLetterStore({ redis, keys, ttlSeconds: config.redis.dlqTtlSeconds }),
      leases,
      leaseTtlMs: config.relay.leaseTtlMs,
      instanceId: config.relay.instanceId,
      failureBackoffMs: config.relay.findBackoffMs,
      gc: createGcPacer({ everyRows: config.relay.gcEveryRows, collect: () => Bun.gc(true) }),
      log,
      metrics,
      reports: {
        cycles: pipelineStates.reports,
        leaseStore: { failed: (error) => outages.failed("redis", error), succeeded: () => outages.succeeded("redis") },
      },
      onOwnership: (pipeline, isOwned) => {
        if (isOwned) owned.add(pipeline);
        else owned.delete(pipeline);
        metrics.pipelineOwned(pipeline, isOwned);
      },
    },
    controller.signal,
  );

  const upkeep = background(controller.signal);
  const watching = watchDependencies({ probes, outages, everyMs: config.relay.healthProbeIntervalMs, timeoutMs: PROBE_TIMEOUT_MS, signal: controller.signal });

  await new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve(), { once: true }));
  // HOBOM_SHUTDOWN_TIMEOUT_MS bounds the whole stop, the closes included: a producer whose brokers
  // hang would otherwise keep the process alive until systemd's SIGKILL.
  const timeoutMs = config.relay.shutdownTimeoutMs;
  const hardStop = setTimeout(() => {
    log.error("shutdown timeout reached with closes still waiting; exiting now", { timeoutMs });
    process.exit(1);
  }, timeoutMs);
  const closeReserveMs = Math.min(CLOSE_RESERVE_MS, Math.floor(timeoutMs / 4));
  const finished = await Promise.race([Promise.all([running, upkeep, watching]).then(() => true), sleep(timeoutMs - closeReserveMs).then(() => false)]);
  if (!finished) {
    log.error("cycles still running at the shutdown timeout; stopping anyway (a batch sent but not yet recorded may be sent again after the restart)", {
      timeoutMs,
    });
  }
  await Promise.allSettled([server.stop(), close()]);
  clearTimeout(hardStop);
  log.info("stopped");
  return finished ? 0 : 1;
}

process.exit(
  await dispatch(process.argv.slice(2), {
    reserved: RESERVED,
    run: (config, declarations, startup) => run(config, declarations, createLogger({ level: config.logLevel }), startup),
    probes: (config, declarations) => {
      const { probes, close } = build(config, declarations, createLogger({ level: "error", write: () => {} }));
      return { probes, close };
    },
    probeTimeoutMs: PROBE_TIMEOUT_MS,
  }),
);
