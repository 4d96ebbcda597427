import { describe, expect, test } from "bun:test";
import { KafkaSendError, KafkaTopicError, KafkaUnavailableError } from "../../../src/errors.ts";
import { withBreaker } from "../../../src/relay/breaker.ts";
import { deferred, FakeSink } from "./fakes.ts";

const TOPIC = "hobom.messages";
const RECORDS = [{ key: "e1", value: "{}", headers: {} }];
const BACKOFF = [1_000, 2_000, 5_000];

function setup(random = () => 0) {
  const sink = new FakeSink();
  let clock = 1_000_000;
  const changes: [boolean, unknown][] = [];
  const breaker = withBreaker(sink, { backoffMs: BACKOFF, now: () => clock, random, onChange: (open, cause) => void changes.push([open, cause]) });
  return {
    sink,
    breaker,
    changes,
    advance: (ms: number) => void (clock += ms),
    at: () => clock,
    outage: () => {
      sink.behaviour = () => {
        throw new KafkaSendError(TOPIC, "connection refused", { retriable: true });
      };
    },
    recover: () => {
      sink.behaviour = () => {};
    },
  };
}

describe("withBreaker", () => {
  test("passes sends through while closed", async () => {
    const { sink, breaker, changes } = setup();
    await breaker.send(TOPIC, RECORDS);
    expect(sink.sends).toHaveLength(1);
    expect(breaker.isOpen()).toBe(false);
    expect(breaker.retryAt()).toBe(0);
    expect(changes).toEqual([]);
  });

  test("opens on a retriable failure and reports it as KafkaUnavailableError with the cause", async () => {
    const { breaker, changes, outage, at } = setup();
    outage();
    const error = await breaker.send(TOPIC, RECORDS).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect((error as KafkaUnavailableError).retryAt).toBe(at() + 1_000);
    expect((error as KafkaUnavailableError).cause).toBeInstanceOf(KafkaSendError);
    expect(breaker.isOpen()).toBe(true);
    expect(breaker.retryAt()).toBe(at() + 1_000);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.[0]).toBe(true);
    expect(changes[0]?.[1]).toBeInstanceOf(KafkaSendError);
  });

  test("refuses sends without calling Kafka until retryAt", async () => {
    const { sink, breaker, outage, recover, advance } = setup();
    outage();
    await breaker.send(TOPIC, RECORDS).catch(() => {});
    recover();
    advance(999);
    const refused = await breaker.send(TOPIC, RECORDS).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(KafkaUnavailableError);
    expect((refused as KafkaUnavailableError).retryAt).toBe(breaker.retryAt());
    expect(sink.sends).toHaveLength(1);
  });

  test("lets a probe through at retryAt and closes when it succeeds", async () => {
    const { sink, breaker, changes, outage, recover, advance } = setup();
    outage();
    await breaker.send(TOPIC, RECORDS).catch(() => {});
    recover();
    advance(1_000);
    await breaker.send(TOPIC, RECORDS);
    expect(sink.sends).toHaveLength(2);
    expect(breaker.isOpen()).toBe(false);
    expect(breaker.retryAt()).toBe(0);
    expect(changes.map(([open]) => open)).toEqual([true, false]);
  });

  test("waits longer after each failed probe, following the table and staying at its last entry", async () => {
    const { breaker, changes, outage, advance, at } = setup();
    outage();
    const waits: number[] = [];
    for (let failure = 0; failure < 5; failure++) {
      await breaker.send(TOPIC, RECORDS).catch(() => {});
      waits.push(breaker.retryAt() - at());
      advance(breaker.retryAt() - at());
    }
    expect(waits).toEqual([1_000, 2_000, 5_000, 5_000, 5_000]);
    expect(changes).toHaveLength(1);
  });

  test("spreads the wait by the injected randomness, up to 10 %", async () => {
    const { breaker, outage, at } = setup(() => 0.5);
    outage();
    await breaker.send(TOPIC, RECORDS).catch(() => {});
    expect(breaker.retryAt() - at()).toBe(1_050);
  });

  test("starts the table again after it closed", async () => {
    const { breaker, outage, recover, advance, at } = setup();
    outage();
    await breaker.send(TOPIC, RECORDS).catch(() => {});
    advance(1_000);
    await breaker.send(TOPIC, RECORDS).catch(() => {});
    advance(2_000);
    recover();
    await breaker.send(TOPIC, RECORDS);
    outage();
    await breaker.send(TOPIC, RECORDS).catch(() => {});
    expect(breaker.retryAt() - at()).toBe(1_000);
  });

  test("stays closed on a permanent send error and rethrows it as it is", async () => {
    const { sink, breaker, changes } = setup();
    const refused = new KafkaSendError(TOPIC, "record too large", { retriable: false });
    sink.behaviour = () => {
      throw refused;
    };
    const error = await breaker.send(TOPIC, RECORDS).catch((caught: unknown) => caught);
    expect(error).toBe(refused);
    expect(breaker.isOpen()).toBe(false);
    expect(breaker.retryAt()).toBe(0);
    expect(changes).toEqual([]);
  });

  test("closes when a probe gets a permanent answer: the broker is reachable", async () => {
    const { sink, breaker, changes, outage, advance } = setup();
    outage();
    await breaker.send(TOPIC, RECORDS).catch(() => {});
    advance(1_000);
    sink.behaviour = () => {
      throw new KafkaSendError(TOPIC, "topic authorization failed", { retriable: false, scope: "topic" });
    };
    await breaker.send(TOPIC, RECORDS).catch(() => {});
    expect(breaker.isOpen()).toBe(false);
    expect(changes.map(([open]) => open)).toEqual([true, false]);
  });

  test("counts sends that fail together, from one outage, as one step of the table", async () => {
    const { sink, breaker, changes, at } = setup();
    const outage = deferred();
    sink.behaviour = async () => {
      await outage.promise;
      throw new KafkaSendError(TOPIC, "request timed out", { retriable: true });
    };
    const inFlight = [breaker.send(TOPIC, RECORDS), breaker.send("hobom.logs", RECORDS), breaker.send("hobom.space-events", RECORDS)];
    outage.resolve();
    const errors = await Promise.all(inFlight.map((send) => send.catch((caught: unknown) => caught)));
    for (const error of errors) expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect(breaker.retryAt() - at()).toBe(1_000);
    expect(changes).toHaveLength(1);
  });

  test("lets a topic that cannot be written through without opening: Kafka answered, only that topic's pipelines wait", async () => {
    const { sink, breaker, changes } = setup();
    const missing = new KafkaTopicError(TOPIC, "missing");
    sink.behaviour = () => {
      throw missing;
    };
    expect(await breaker.send(TOPIC, RECORDS).catch((error) => error)).toBe(missing);
    expect(breaker.isOpen()).toBe(false);
    expect(changes).toEqual([]);
  });

  test("hands each record's outcome through, and stays closed when only some partitions failed", async () => {
    const { sink, breaker } = setup();
    const unreachable = new KafkaSendError(TOPIC, "partition 1 waits for its leader", { retriable: true });
    sink.behaviour = () => [{ ok: true }, { ok: false, error: unreachable }];
    const outcomes = await breaker.send(TOPIC, [...RECORDS, { key: "e2", value: "{}", headers: {} }]);
    expect(outcomes).toEqual([{ ok: true }, { ok: false, error: unreachable }]);
    expect(breaker.isOpen()).toBe(false);
  });
});
