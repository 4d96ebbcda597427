/**
 * Runs one fault scenario end to end: backend doubles, the relay as a child process (the real
 * entrypoint), a steady stream of rows across six pipelines, the fault in the middle of the stream,
 * then waits until every row is SENT or FAILED and accounts for each one (Kafka, DLQ, status).
 * verdict.ts says whether the scenario held.
 */
import type { KafkaBroker } from "../../infra/kafka-broker.ts";
import type { KafkaCluster } from "../../infra/kafka-cluster.ts";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
import { startAngelBackend, startHoBomBackend, startSpaceBackend } from "../../support/backends/index.ts";
import { type RelayTestSetup, type RelayTopics, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { type LogLine, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";
import { type Accounting, account } from "./accounting.ts";
import { type ClusterPlan, type KafkaTarget, openKafka, type TopicRole } from "./kafka-target.ts";
import { type RowStream, type StreamBackends, type StreamOptions, startStream } from "./stream.ts";

/** One send batch holds at most this many bytes, so a batch sent twice is a known, small number of rows. */
export const FAULT_MAX_MESSAGE_BYTES = 16_384;

/** The relay configuration every scenario shares: short waits so that a fault costs seconds. */
const BASE_OVERRIDES: Record<string, string> = {
  HOBOM_POLL_INTERVAL_MS: "200",
  HOBOM_FIND_BACKOFF_MS: "200,400,800",
  HOBOM_KAFKA_BACKOFF_MS: "300,600,1000",
  HOBOM_KAFKA_MAX_MESSAGE_BYTES: String(FAULT_MAX_MESSAGE_BYTES),
  HOBOM_LEASE_TTL_MS: "3000",
  HOBOM_LOG_LEVEL: "info",
};

export interface ScenarioContext {
  readonly backends: StreamBackends;
  readonly setup: RelayTestSetup;
  /** The private broker, when the scenario asked for one. */
  readonly kafka: KafkaBroker | undefined;
  /** The private cluster, when the scenario asked for one. */
  readonly cluster: KafkaCluster | undefined;
  /** Creates one of the scenario's topics (one its cluster plan left absent). */
  createTopic(role: TopicRole): Promise<void>;
  /** The private persistent Redis, when the scenario asked for one. */
  readonly redis: RedisInstance | undefined;
  readonly stream: RowStream;
  /** Rows the stream will create in all. */
  readonly total: number;
  /** Starts a relay instance (the real entrypoint) with the scenario's environment. */
  startRelay(name: string, extraEnv?: Record<string, string>): Promise<RelayProcess>;
  /** Every relay started so far, by name. */
  readonly relays: ReadonlyMap<string, RelayProcess>;
  /** The fault starts now (for the timeline). */
  faultBegins(what: string): void;
  /** The fault is over now: recovery is measured from this moment. */
  faultEnds(what: string): void;
  /** A line in the scenario's timeline. */
  note(what: string): void;
  /** A measurement of the scenario's own, printed with the result. */
  finding(what: string): void;
  /** A rule of the scenario's own that did not hold: the scenario is broken. */
  violation(what: string): void;
}

export interface Scenario {
  /** Short id, also the test file's name (the cluster scenarios share kafka-cluster.test.ts and its cluster). */
  readonly id: string;
  /** The README table's row label. */
  readonly title: string;
  /**
   * "one batch" where the fault leaves one send's outcome unknown to the relay: the relay dies by
   * SIGKILL after Kafka acknowledged a batch and before it recorded it, or the broker wrote a batch
   * whose acknowledgement never arrived (killed or paused after the append). That batch may reach
   * Kafka twice; nothing else may. "none" everywhere else.
   */
  readonly duplicates: "none" | "one batch";
  /** A broker of its own (its fault stops or freezes it). */
  readonly privateKafka?: boolean;
  /** A private 3-node cluster (handed in by RunOptions.cluster, or started for it), its topics created by the plan. */
  readonly privateCluster?: ClusterPlan;
  readonly privateRedis?: boolean;
  readonly overrides?: Record<string, string>;
  readonly rows?: number;
  readonly ratePerSecond?: number;
  /** Message rows too large for their topic, among the stream's rows: they must end dead-lettered. */
  readonly oversized?: StreamOptions["oversized"];
  /** Starts the relay instance(s) before the stream begins. */
  start(context: ScenarioContext): Promise<void>;
  /** The fault, run while the stream goes on; it must call faultBegins and faultEnds. */
  fault(context: ScenarioContext): Promise<void>;
  /** Checks of its own (e.g. exit codes), as violation texts. */
  check?(result: ScenarioResult): string[];
}

export interface ScenarioTimings {
  /** From the first row to the last row created. */
  readonly streamMs: number;
  /** When the fault began and ended, from the first row. */
  readonly faultBeganAtMs: number;
  readonly faultEndedAtMs: number;
  /** From the end of the fault until every row created before it was SENT or FAILED. */
  readonly recoverMs: number;
  /** From the first row until every row was SENT or FAILED. */
  readonly drainedAtMs: number;
  /** Everything: start of backends to the end of the accounting. */
  readonly totalMs: number;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly accounting: Accounting;
  readonly timings: ScenarioTimings;
  readonly timeline: readonly string[];
  /** Exit codes of the relays, by name (137 for a SIGKILL). */
  readonly exitCodes: Readonly<Record<string, number>>;
  /** Set when the rows did not all end SENT or FAILED in time. */
  readonly drainTimeout?: string;
  /** Warn and error lines of every relay, for a failure message. */
  readonly relayWarnings: readonly string[];
  /** Every log line of every relay, by relay name. */
  readonly relayLogs: Readonly<Record<string, readonly LogLine[]>>;
  /** Rows created, and rows marked SENT, between the fault's start and its end: how much flowed through it. */
  readonly duringFault: { readonly created: number; readonly sent: number };
  /** The scenario's own measurements (context.finding) and broken rules (context.violation). */
  readonly findings: readonly string[];
  readonly problems: readonly string[];
}

export interface RunOptions {
  /** How long to wait, after the stream and the fault, for every row to be SENT or FAILED. */
  readonly drainTimeoutMs?: number;
  /** Progress lines (timeline) as they happen. */
  readonly onNote?: (line: string) => void;
  /**
   * A private cluster for scenarios that ask for one, shared by several scenarios in turn; without
   * it, such a scenario starts a cluster of its own.
   */
  readonly cluster?: KafkaCluster;
}

const DEFAULT_ROWS = 5_000;
const DEFAULT_RATE = 800;

export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<ScenarioResult> {
  const began = performance.now();
  const testbed = testbedEnv();
  const total = scenario.rows ?? DEFAULT_ROWS;
  const timeline: string[] = [];
  let streamStart: number | undefined;
  const clock = () => (streamStart === undefined ? "  setup" : ((performance.now() - streamStart) / 1000).toFixed(2).padStart(6));
  const note = (what: string) => {
    const line = `${clock()}${streamStart === undefined ? "  " : " s"}  ${what}`;
    timeline.push(line);
    options.onNote?.(`[${scenario.id}] ${line}`);
  };

  const finished = new AbortController();
  const relays = new Map<string, RelayProcess>();
  const exitCodes: Record<string, number> = {};
  const findings: string[] = [];
  const problems: string[] = [];
  let kafka: KafkaTarget | undefined;
  let topics: RelayTopics | undefined;
  let redis: RedisInstance | undefined;
  let stream: RowStream | undefined;
  const [hobom, space, angel] = await Promise.all([
    startHoBomBackend({ apiKey: TEST_API_KEY }),
    startSpaceBackend({ apiKey: TEST_API_KEY }),
    startAngelBackend({ apiKey: TEST_API_KEY }),
  ]);
  const backends: StreamBackends = { hobom, space, angel };

  try {
    [kafka, redis] = await Promise.all([openKafka(scenario, options.cluster), scenario.privateRedis ? startRedisServer({ persistent: true }) : undefined]);
    const target = kafka;
    const brokers = kafka.brokers;
    const redisUrl = redis?.url ?? testbed.redisUrl;
    const setup = relayTestSetup({
      hobom,
      space,
      angel,
      kafkaBrokers: brokers,
      redisUrl,
      overrides: { ...BASE_OVERRIDES, ...scenario.overrides },
    });
    topics = setup.topics;
    await kafka.createTopics(setup.topics);

    let faultBegan: number | undefined;
    let faultEnded: number | undefined;
    // The same moments by the wall clock, which the backends' sentAt use.
    const faultWall = { began: 0, ended: 0 };
    let recovered: Promise<number> | undefined;
    const context: ScenarioContext = {
      backends,
      setup,
      kafka: kafka.broker,
      cluster: kafka.cluster,
      createTopic: (role) => target.createTopic(setup.topics, role),
      redis,
      get stream() {
        if (!stream) throw new Error("the stream has not started yet");
        return stream;
      },
      total,
      relays,
      async startRelay(name, extraEnv = {}) {
        const relay = await startRelayProcess({ ...setup.env, HOBOM_INSTANCE_ID: name, ...extraEnv });
        relays.set(name, relay);
        void relay.exited.then((code) => {
          exitCodes[name] = code;
          note(`relay ${name} (pid ${relay.pid}) exited with ${code}`);
        });
        note(`relay ${name} started (pid ${relay.pid})`);
        return relay;
      },
      faultBegins(what) {
        faultBegan = performance.now();
        faultWall.began = Date.now();
        note(`fault: ${what} (${stream?.rows.length ?? 0} rows created)`);
      },
      faultEnds(what) {
        faultEnded = performance.now();
        faultWall.ended = Date.now();
        note(`fault over: ${what}`);
        const before = stream?.rows.slice() ?? [];
        recovered = waitUntil(() => before.every((row) => row.live.status !== "PENDING"), 300_000, finished.signal).then((at) => at ?? Number.NaN);
      },
      note,
      finding(what) {
        findings.push(what);
        note(what);
      },
      violation(what) {
        problems.push(what);
        note(`BROKEN: ${what}`);
      },
    };

    await scenario.start(context);
    const streamStarted = performance.now();
    streamStart = streamStarted;
    stream = startStream(backends, { total, ratePerSecond: scenario.ratePerSecond ?? DEFAULT_RATE, badEvery: 97, oversized: scenario.oversized });
    note(`stream started: ${total} rows at ${scenario.ratePerSecond ?? DEFAULT_RATE}/s`);
    const streamDone = stream.done.then(() => {
      note(`stream done: ${stream?.rows.length} rows created`);
      return performance.now();
    });
    await scenario.fault(context);
    if (faultBegan === undefined || faultEnded === undefined || recovered === undefined)
      throw new Error(`scenario ${scenario.id} did not report its fault's start and end`);
    const [faultFrom, faultTo] = [faultBegan, faultEnded];
    const streamEnded = await streamDone;

    const drainTimeoutMs = options.drainTimeoutMs ?? 45_000;
    const rows = stream.rows;
    const allFinal = () => rows.every((row) => row.live.status !== "PENDING");
    let drainTimeout: string | undefined;
    const drained = await waitUntil(allFinal, drainTimeoutMs, finished.signal);
    if (drained === undefined) {
      const pending = rows.filter((row) => row.live.status === "PENDING").length;
      drainTimeout = `${pending} of ${rows.length} rows still PENDING ${drainTimeoutMs / 1000} s after the stream and the fault ended`;
      note(`drain timeout: ${drainTimeout}`);
    } else {
      note("every row is SENT or FAILED");
    }
    const recoveredAt = drained === undefined ? Number.NaN : await recovered;

    // Stop every instance still running, so that nothing reaches Kafka after the count.
    await Promise.all(
      [...relays].map(async ([name, relay]) => {
        if (exitCodes[name] === undefined) exitCodes[name] = await relay.stop();
      }),
    );

    const accounting = await account({
      rows,
      topics: setup.topics,
      brokers,
      redisUrl,
      namespace: setup.namespace,
      maxMessageBytes: Number(setup.env.HOBOM_KAFKA_MAX_MESSAGE_BYTES),
    });
    note(
      `accounted: ${accounting.delivered} delivered, ${accounting.deadLettered} dead-lettered, ${accounting.duplicates} duplicates, ${accounting.lost} lost`,
    );

    return {
      scenario,
      accounting,
      timings: {
        streamMs: streamEnded - streamStarted,
        faultBeganAtMs: faultBegan - streamStarted,
        faultEndedAtMs: faultEnded - streamStarted,
        recoverMs: recoveredAt - faultEnded,
        drainedAtMs: (drained ?? Number.NaN) - streamStarted,
        totalMs: performance.now() - began,
      },
      timeline,
      exitCodes,
      drainTimeout,
      duringFault: {
        created: rows.filter((row) => row.createdAt >= faultFrom && row.createdAt <= faultTo).length,
        sent: rows.filter((row) => row.live.sentAt && row.live.sentAt.getTime() >= faultWall.began && row.live.sentAt.getTime() <= faultWall.ended).length,
      },
      relayWarnings: [...relays].flatMap(([name, relay]) => relay.logs.filter(isWarning).map((line) => `${name}: ${JSON.stringify(line)}`)),
      relayLogs: Object.fromEntries([...relays].map(([name, relay]) => [name, relay.logs])),
      findings,
      problems,
    };
  } finally {
    finished.abort();
    stream?.stop();
    await Promise.all([...relays.values()].map((relay) => relay.kill()));
    hobom.stop();
    space.stop();
    angel.stop();
    await kafka?.close(topics);
    await redis?.kill();
  }
}

function isWarning(line: LogLine): boolean {
  return line.level === "warn" || line.level === "error" || line.level === "raw";
}

/** Resolves with performance.now() once `condition` holds (checked every 20 ms), or undefined after `timeoutMs` or an abort. */
async function waitUntil(condition: () => boolean, timeoutMs: number, signal: AbortSignal): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline || signal.aborted) return undefined;
    await Bun.sleep(20);
  }
  return performance.now();
}
