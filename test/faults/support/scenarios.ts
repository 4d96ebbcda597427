/**
 * The fault scenarios: the six of issue 6 (Kafka broker SIGKILL, Redis restart, backend errors then
 * timeouts, relay SIGKILL, two instances and an owner SIGKILL, rolling restart) and a Kafka broker
 * pause. Each runs the relay (the real entrypoint, as a child process) under a steady stream of at
 * least 5,000 rows and hits it with one fault in the middle of the stream; scenario.ts does the rest
 * (waiting for the backlog, counting, checking).
 */
import * as grpc from "@grpc/grpc-js";
import { inspectRedis } from "../../support/redis-inspect.ts";
import type { LogLine } from "../../support/relay-process.ts";
import type { Scenario, ScenarioContext } from "./scenario.ts";
import { at, midCycle, nextLog, relay } from "./scenario-steps.ts";
import { STREAM_PIPELINES } from "./stream.ts";

export const kafkaBrokerKill: Scenario = {
  id: "kafka-broker-kill",
  title: "Kafka broker SIGKILLed, then restarted",
  duplicates: "one batch",
  privateKafka: true,
  // A broker takes 8 to 20 s to start here: a longer stream keeps rows coming until it is back.
  rows: 7_500,
  ratePerSecond: 500,
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const broker = context.kafka;
    if (!broker) throw new Error("this scenario needs its private broker");
    await at(context, 0.15);
    await midCycle(context);
    const outage = nextLog(relay(context, "relay-a"), (line) => line.msg === "kafka unreachable; pipelines wait and nothing is marked FAILED");
    context.faultBegins("Kafka broker SIGKILL");
    await broker.kill();
    await outage;
    context.note("the relay saw the outage; rows keep coming");
    await at(context, 0.25);
    context.note("restarting the broker (same port, same data)");
    await broker.start();
    context.faultEnds("the broker answers metadata requests again");
  },
};

export const kafkaBrokerPause: Scenario = {
  id: "kafka-broker-pause",
  title: "Kafka broker paused (SIGSTOP) past the write timeout, then resumed",
  // The batch in flight at the pause is written when the broker resumes, but its acknowledgement
  // is long gone: the relay sends it again. Nothing else may be sent twice, and nothing lost.
  duplicates: "one batch",
  privateKafka: true,
  overrides: { HOBOM_KAFKA_WRITE_TIMEOUT_MS: "1000" },
  // Long enough that the broker resumes while rows still come.
  rows: 6_000,
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const broker = context.kafka;
    if (!broker) throw new Error("this scenario needs its private broker");
    await at(context, 0.25);
    await midCycle(context);
    const outage = nextLog(relay(context, "relay-a"), (line) => line.msg === "kafka unreachable; pipelines wait and nothing is marked FAILED");
    context.faultBegins("Kafka broker SIGSTOP: connections stay open, requests queue unanswered");
    broker.pause();
    try {
      // Every attempt of the send in flight times out (3 × 1 s), the breaker opens.
      await outage;
      context.note("the relay saw the outage; rows keep coming");
      await at(context, 0.65);
    } finally {
      broker.resume();
    }
    context.faultEnds("Kafka broker SIGCONT: it answers the queued requests, then new ones");
  },
};

export const redisRestart: Scenario = {
  id: "redis-restart",
  title: "Redis stopped, then restarted",
  duplicates: "none",
  privateRedis: true,
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const redis = context.redis;
    if (!redis) throw new Error("this scenario needs its private Redis");
    await at(context, 0.2);
    // Down long enough for the leases to lapse: the relay stops its pipelines, as designed.
    const leaseLost = nextLog(relay(context, "relay-a"), (line) => line.msg === "pipeline lease lost; stopping the pipeline here");
    context.faultBegins("Redis stopped (SHUTDOWN, data kept on disk)");
    await redis.stop();
    await leaseLost;
    context.note("the relay let its leases go; rows keep coming");
    await at(context, 0.6);
    await redis.start();
    context.faultEnds("Redis answers PING again");
  },
};

export const backendErrorsThenTimeouts: Scenario = {
  id: "backend-errors-timeouts",
  title: "for-hobom-backend answers errors, then times out, then recovers",
  duplicates: "none",
  overrides: { HOBOM_GRPC_TIMEOUT_MS: "1000", HOBOM_GRPC_FIND_TIMEOUT_MS: "1000" },
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    const { hobom } = context.backends;
    const relayA = relay(context, "relay-a");
    const failedCycle = (pipeline: string, text: string) => (line: LogLine) =>
      line.msg === "cycle failed" && line.pipeline === pipeline && String(line.error).includes(text);

    await at(context, 0.3);
    const errors = [nextLog(relayA, failedCycle("message", "UNAVAILABLE")), nextLog(relayA, failedCycle("log", "UNAVAILABLE"))];
    context.faultBegins("for-hobom-backend answers UNAVAILABLE to every call (Find and Mark)");
    hobom.faults.fail("*", { code: grpc.status.UNAVAILABLE, times: Number.POSITIVE_INFINITY, message: "injected: backend down" });
    await Promise.all([...errors, at(context, 0.45)]);

    const timeouts = [nextLog(relayA, failedCycle("message", "DEADLINE_EXCEEDED")), nextLog(relayA, failedCycle("log", "DEADLINE_EXCEEDED"))];
    context.note("for-hobom-backend now answers every call after 1,500 ms (relay deadlines: 1,000 ms)");
    hobom.faults.clear();
    hobom.faults.delay("*", 1500);
    await Promise.all([...timeouts, at(context, 0.65)]);

    hobom.faults.clear();
    context.faultEnds("for-hobom-backend answers normally");
  },
};

export const relaySigkill: Scenario = {
  id: "relay-sigkill",
  title: "relay SIGKILLed mid-cycle, then started again",
  duplicates: "one batch",
  async start(context) {
    await context.startRelay("relay-a");
  },
  async fault(context) {
    await at(context, 0.4);
    await midCycle(context);
    context.faultBegins("relay-a SIGKILL in the middle of a cycle");
    await relay(context, "relay-a").kill();
    await context.startRelay("relay-a-restarted");
    context.faultEnds("the relay runs again (it waits out the dead instance's leases)");
  },
};

export const twoInstancesOwnerKill: Scenario = {
  id: "two-instances-owner-kill",
  title: "two instances for the whole stream, then the lease owner SIGKILLed",
  duplicates: "one batch",
  async start(context) {
    // Started together, so the leases are shared out between them by chance.
    await Promise.all([context.startRelay("relay-a"), context.startRelay("relay-b")]);
  },
  async fault(context) {
    await at(context, 0.5);
    const owners = await leaseOwners(context);
    const counts = new Map<string, number>();
    for (const owner of Object.values(owners)) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    const [victim] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (!victim || !context.relays.has(victim)) throw new Error(`no lease owner among the relays: ${JSON.stringify(owners)}`);
    context.note(`leases: ${JSON.stringify(owners)}`);
    await midCycle(context);
    context.faultBegins(`lease owner ${victim} SIGKILL`);
    await relay(context, victim).kill();
    context.faultEnds(`${victim} is dead; the other instance takes its leases when they expire`);
  },
  check(result) {
    const survivors = Object.keys(result.exitCodes).filter((name) => result.exitCodes[name] === 0);
    return survivors.length === 1 ? [] : [`expected exactly one instance to stop cleanly at the end, got ${JSON.stringify(result.exitCodes)}`];
  },
};

export const rollingRestart: Scenario = {
  id: "rolling-restart",
  title: "rolling restart: new instance started, then SIGTERM to the old one",
  duplicates: "none",
  async start(context) {
    await context.startRelay("relay-old");
  },
  async fault(context) {
    await at(context, 0.4);
    context.faultBegins("relay-new starts beside relay-old");
    await context.startRelay("relay-new");
    context.note("relay-old gets SIGTERM");
    const code = await relay(context, "relay-old").stop();
    context.faultEnds(`relay-old exited with ${code}`);
  },
  check(result) {
    return result.exitCodes["relay-old"] === 0 ? [] : [`relay-old exited with ${result.exitCodes["relay-old"]} after SIGTERM, not 0`];
  },
};

/** Which instance holds each pipeline's lease right now (the token starts with the instance id). */
async function leaseOwners(context: ScenarioContext): Promise<Record<string, string>> {
  const redis = inspectRedis(context.setup.env.HOBOM_REDIS_ADDR as string, context.setup.namespace);
  try {
    const owners: Record<string, string> = {};
    for (const pipeline of STREAM_PIPELINES) {
      const token = await redis.get(`${context.setup.namespace}lease:${pipeline}`);
      if (token) owners[pipeline] = token.slice(0, token.lastIndexOf(":"));
    }
    return owners;
  } finally {
    redis.close();
  }
}

/** Every scenario, in the order the report runs them. */
export const SCENARIOS: readonly Scenario[] = [
  kafkaBrokerKill,
  kafkaBrokerPause,
  redisRestart,
  backendErrorsThenTimeouts,
  relaySigkill,
  twoInstancesOwnerKill,
  rollingRestart,
];
