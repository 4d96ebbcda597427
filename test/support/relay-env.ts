/**
 * The environment of a relay under test: the shared test bed, the doubles that are running, unique
 * topics and a unique Redis namespace, and short waits so scenarios finish in seconds.
 */
import { testbedEnv, uniqueName } from "./testbed-env.ts";

export const TEST_API_KEY = "test-backend-key";
export const TEST_INTERNAL_API_KEY = "test-internal-key";

export interface RelayTopics {
  readonly messages: string;
  readonly logs: string;
  readonly spaceEvents: string;
  readonly angelEvents: string;
}

export interface RelayTestSetup {
  readonly env: Record<string, string>;
  readonly topics: RelayTopics;
  /** The Redis namespace, e.g. `relay-abc:`; DLQ keys are `<namespace>dlq:menu:<id>`. */
  readonly namespace: string;
}

export function relayTestSetup(options: {
  /** for-hobom-backend; absent, the relay runs only the pipelines of its HOBOM_PIPELINES_FILE. */
  hobom?: { address: string };
  space?: { address: string };
  angel?: { address: string };
  llm?: { address: string };
  kafkaBrokers?: readonly string[];
  redisUrl?: string;
  overrides?: Record<string, string>;
}): RelayTestSetup {
  const testbed = testbedEnv();
  const name = uniqueName("relay");
  const topics: RelayTopics = {
    messages: `${name}.messages`,
    logs: `${name}.logs`,
    spaceEvents: `${name}.space-events`,
    angelEvents: `${name}.angel-events`,
  };
  const namespace = `${name}:`;
  const env: Record<string, string> = {
    ...(options.hobom ? { HOBOM_GRPC_ADDR: options.hobom.address, HOBOM_GRPC_API_KEY: TEST_API_KEY } : {}),
    HOBOM_KAFKA_BROKER: (options.kafkaBrokers ?? testbed.kafkaBrokers).join(","),
    HOBOM_REDIS_ADDR: options.redisUrl ?? testbed.redisUrl,
    HOBOM_REDIS_KEY_PREFIX: namespace,
    HOBOM_TOPIC_MESSAGES: topics.messages,
    HOBOM_TOPIC_LOGS: topics.logs,
    HOBOM_TOPIC_SPACE_EVENTS: topics.spaceEvents,
    HOBOM_TOPIC_ANGEL_EVENTS: topics.angelEvents,
    HOBOM_POLL_INTERVAL_MS: "200",
    HOBOM_FIND_BACKOFF_MS: "200,400,800",
    HOBOM_KAFKA_BACKOFF_MS: "300,600,1000",
    HOBOM_KAFKA_WRITE_TIMEOUT_MS: "5000",
    HOBOM_LAW_GENERATE_BACKOFF_MS: "20,40",
    HOBOM_INTERNAL_API_KEY: TEST_INTERNAL_API_KEY,
    HOBOM_LOG_LEVEL: "info",
    ...(options.space ? { HOBOM_SPACE_GRPC_ADDR: options.space.address } : {}),
    ...(options.angel ? { HOBOM_ANGEL_GRPC_ADDR: options.angel.address } : {}),
    ...(options.llm ? { HOBOM_LLM_GRPC_ADDR: options.llm.address } : {}),
    ...options.overrides,
  };
  return { env, topics, namespace };
}

/** Polls `condition` every 50 ms until it holds; rejects with `describe()` after `timeoutMs`. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000, describe: () => string = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${describe() ? `: ${describe()}` : ""}`);
    await Bun.sleep(50);
  }
}
