/**
 * The composition root: environment → config → adapters → pipelines → HTTP, under one
 * AbortController. Nothing else in src/ reads the environment, opens a client or starts a timer.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseDotenv } from "./config/dotenv.ts";
import { loadConfig } from "./config/load-config.ts";
import type { Config } from "./config/config.ts";
import { createDeadLetterStore } from "./dlq/dead-letter-store.ts";
import { createDeliveryLedger } from "./dlq/delivery-ledger.ts";
import { keyScheme } from "./dlq/keys.ts";
import { connectRedis } from "./dlq/redis.ts";
import { createBackendChannels } from "./grpc/channels.ts";
import { loadHoBomServices } from "./grpc/protos.ts";
import { createStudyMaterialService } from "./grpc/study-material.ts";
import { createKafkaSink } from "./kafka/producer.ts";
import { createLogger, type Logger } from "./observability/logger.ts";
import { createMetrics } from "./observability/metrics.ts";
import { enabledPipelines } from "./pipelines/table.ts";
import { withBreaker } from "./relay/breaker.ts";
import { runRelay } from "./relay/relay.ts";
import { sleep } from "./relay/sleep.ts";

/** Exit code of a start refused for bad configuration. */
const EXIT_CONFIG = 2;

/** The environment: real variables win over a `.env` file in the working directory. */
function readEnvironment(): { env: Record<string, string | undefined>; problems: string[] } {
  if (!existsSync(".env")) return { env: { ...process.env }, problems: [] };
  const { values, problems } = parseDotenv(readFileSync(".env", "utf8"));
  return { env: { ...values, ...process.env }, problems };
}

async function run(config: Config, log: Logger): Promise<number> {
  const controller = new AbortController();
  const metrics = createMetrics({ withProcessMetrics: true });
  const services = loadHoBomServices();
  const channels = createBackendChannels({
    services,
    connections: config.grpc.connections,
    tlsCaPem: config.grpc.tlsCaPem,
    maxReceiveBytes: config.grpc.maxReceiveBytes,
  });
  const redis = connectRedis({ url: config.redis.url, password: config.redis.password });
  const keys = keyScheme(config.redis.keyPrefix);
  const kafka = createKafkaSink({ ...config.kafka, log: log.child({ component: "kafka" }) });
  const sink = withBreaker(kafka, {
    backoffMs: config.kafka.backoffMs,
    onChange: (open, cause) => {
      metrics.breakerOpen(open);
      if (open) log.error("kafka unreachable; pipelines wait and nothing is marked FAILED", { error: cause });
      else log.info("kafka reachable again");
    },
  });
  const pipelines = enabledPipelines(config.grpc.connections);

  const stop = (signalName: string) => {
    if (controller.signal.aborted) return;
    log.info("stopping: finishing the cycles in flight", { signal: signalName, timeoutMs: config.relay.shutdownTimeoutMs });
    controller.abort(new Error(`received ${signalName}`));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));

  log.info("hobom-event-processor starting", {
    pipelines: pipelines.map((pipeline) => pipeline.name),
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
      ledger: createDeliveryLedger({ redis, keys, ttlSeconds: config.redis.deliveryTtlSeconds }),
      dlq: createDeadLetterStore({ redis, keys, ttlSeconds: config.redis.dlqTtlSeconds }),
      studyMaterial: createStudyMaterialService({ channels, llmTimeoutMs: config.grpc.llmTimeoutMs, callTimeoutMs: config.grpc.callTimeoutMs }),
      log,
      metrics,
    },
    controller.signal,
  );

  await new Promise<void>((resolve) => controller.signal.addEventListener("abort", () => resolve(), { once: true }));
  const finished = await Promise.race([relay.then(() => true), sleep(config.relay.shutdownTimeoutMs).then(() => false)]);
  if (!finished) log.error("cycles still running after the shutdown timeout; stopping anyway", { timeoutMs: config.relay.shutdownTimeoutMs });
  await Promise.allSettled([kafka.close(), Promise.resolve(redis.close()), Promise.resolve(channels.close())]);
  log.info("stopped");
  return finished ? 0 : 1;
}

async function main(): Promise<number> {
  const { env, problems: envProblems } = readEnvironment();
  const result = loadConfig({ env });
  const problems = [...envProblems, ...(result.ok ? [] : result.problems)];
  if (!result.ok || problems.length > 0) {
    process.stderr.write(`hobom-event-processor: cannot start, the configuration has ${problems.length} problem(s):\n`);
    for (const problem of problems) process.stderr.write(`  - ${problem}\n`);
    return EXIT_CONFIG;
  }
  const log = createLogger({ level: result.config.logLevel });
  return run(result.config, log);
}

process.exit(await main());
