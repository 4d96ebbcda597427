import { describe, expect, test } from "bun:test";
import { withBreaker } from "../../../src/engine/breaker.ts";
import { BreakerOpenError, DependencyError, DestinationError, PermanentEventError, SinkUnavailableError } from "../../../src/engine/errors.ts";
import { KafkaSendError, KafkaTopicError, KafkaUnreachableError } from "../../../src/sinks/kafka/errors.ts";
import type { KafkaMessage } from "../../../src/sinks/kafka/message.ts";
import { deferred, FakeSink } from "./fakes.ts";

const TOPIC = "hobom.messages";
const RECORDS: KafkaMessage[] = [{ topic: TOPIC, key: "e1", value: "{}", headers: {} }];
const SIGNAL = new AbortController().signal;
const BACKOFF = [1_000, 2_000, 5_000];

function setup(random = () => 0) {
  const sink = new FakeSink();
  let clock = 1_000_000;
  const changes: [boolean, unknown][] = [];
  const breaker = withBreaker(sink, {
    dependency: "kafka",
    backoffMs: BACKOFF,
    now: () => clock,
    random,
    onChange: (open, cause) => void changes.push([open, cause]),
  });
  return {
    sink,
    breaker,
    changes,
    advance: (ms: number) => {
      clock += ms;
    },
    at: () => clock,
    outage: () => {
      sink.behaviour = () => {
        throw new KafkaUnreachableError("connection refused");
      };
    },
    recover: () => {
      sink.behaviour = () => {};
    },
  };
}

describe("withBreaker", () => {
  test("passes deliveries through while closed, with the sink's limits, idempotence and close", async () => {
    const { sink, breaker, changes } = setup();
    expect(await breaker.deliver(RECORDS, SIGNAL)).toEqual([{ ok: true }]);
    expect(sink.deliveries).toHaveLength(1);
    expect(breaker.isOpen()).toBe(false);
    expect(breaker.retryAt()).toBe(0);
    expect(changes).toEqual([]);
    expect(breaker.limits).toBe(sink.limits);
    expect(breaker.idempotent).toBe(true);
    await breaker.close();
    expect(sink.closed).toBe(1);
  });

  test("opens when the sink cannot be reached, and reports it as BreakerOpenError with the dependency and the cause", async () => {
    const { breaker, changes, outage, at } = setup();
    outage();
    const error = await breaker.deliver(RECORDS, SIGNAL).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect((error as BreakerOpenError).retryAt).toBe(at() + 1_000);
    expect((error as BreakerOpenError).dependency).toBe("kafka");
    expect((error as BreakerOpenError).message).toBe("kafka is unavailable (breaker open)");
    expect((error as BreakerOpenError).cause).toBeInstanceOf(KafkaUnreachableError);
    expect(breaker.isOpen()).toBe(true);
    expect(breaker.retryAt()).toBe(at() + 1_000);
    expect(changes).toHaveLength(1);
    expect(changes[0]?.[0]).toBe(true);
    expect(changes[0]?.[1]).toBeInstanceOf(KafkaUnreachableError);
  });

  test("refuses deliveries without calling the sink until retryAt", async () => {
    const { sink, breaker, outage, recover, advance } = setup();
    outage();
    await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
    recover();
    advance(999);
    const refused = await breaker.deliver(RECORDS, SIGNAL).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(BreakerOpenError);
    expect((refused as BreakerOpenError).retryAt).toBe(breaker.retryAt());
    expect((refused as BreakerOpenError).cause).toBeUndefined();
    expect(sink.deliveries).toHaveLength(1);
  });

  test("lets a probe through at retryAt and closes when it succeeds", async () => {
    const { sink, breaker, changes, outage, recover, advance } = setup();
    outage();
    await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
    recover();
    advance(1_000);
    await breaker.deliver(RECORDS, SIGNAL);
    expect(sink.deliveries).toHaveLength(2);
    expect(breaker.isOpen()).toBe(false);
    expect(breaker.retryAt()).toBe(0);
    expect(changes.map(([open]) => open)).toEqual([true, false]);
  });

  test("waits longer after each failed probe, following the table and staying at its last entry", async () => {
    const { breaker, changes, outage, advance, at } = setup();
    outage();
    const waits: number[] = [];
    for (let failure = 0; failure < 5; failure++) {
      await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
      waits.push(breaker.retryAt() - at());
      advance(breaker.retryAt() - at());
    }
    expect(waits).toEqual([1_000, 2_000, 5_000, 5_000, 5_000]);
    expect(changes).toHaveLength(1);
  });

  test("spreads the wait by the injected randomness, up to 10 %", async () => {
    const { breaker, outage, at } = setup(() => 0.5);
    outage();
    await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
    expect(breaker.retryAt() - at()).toBe(1_050);
  });

  test("starts the table again after it closed", async () => {
    const { breaker, outage, recover, advance, at } = setup();
    outage();
    await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
    advance(1_000);
    await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
    advance(2_000);
    recover();
    await breaker.deliver(RECORDS, SIGNAL);
    outage();
    await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
    expect(breaker.retryAt() - at()).toBe(1_000);
  });

  test("stays closed on a refusal of the messages (PermanentEventError) and rethrows it as it is", async () => {
    const { sink, breaker, changes } = setup();
    const refused = new PermanentEventError("record too large");
    sink.behaviour = () => {
      throw refused;
    };
    const error = await breaker.deliver(RECORDS, SIGNAL).catch((caught: unknown) => caught);
    expect(error).toBe(refused);
    expect(breaker.isOpen()).toBe(false);
    expect(breaker.retryAt()).toBe(0);
    expect(changes).toEqual([]);
  });

  test("closes when a probe gets a refusal of the messages or of a destination: the sink answered", async () => {
    for (const answer of [new PermanentEventError("record too large"), new KafkaTopicError(TOPIC, "unauthorized")]) {
      const { sink, breaker, changes, outage, advance } = setup();
      outage();
      await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
      advance(1_000);
      sink.behaviour = () => {
        throw answer;
      };
      expect(await breaker.deliver(RECORDS, SIGNAL).catch((caught: unknown) => caught)).toBe(answer);
      expect(breaker.isOpen()).toBe(false);
      expect(breaker.retryAt()).toBe(0);
      expect(changes.map(([open]) => open)).toEqual([true, false]);
    }
  });

  test("counts deliveries that fail together, from one outage, as one step of the table", async () => {
    const { sink, breaker, changes, at } = setup();
    const outage = deferred();
    sink.behaviour = async () => {
      await outage.promise;
      throw new SinkUnavailableError("kafka", "request timed out");
    };
    const inFlight = [breaker.deliver(RECORDS, SIGNAL), breaker.deliver(RECORDS, SIGNAL), breaker.deliver(RECORDS, SIGNAL)];
    outage.resolve();
    const errors = await Promise.all(inFlight.map((delivery) => delivery.catch((caught: unknown) => caught)));
    for (const error of errors) expect(error).toBeInstanceOf(BreakerOpenError);
    expect(breaker.retryAt() - at()).toBe(1_000);
    expect(changes).toHaveLength(1);
  });

  test("lets a destination that cannot take messages through without opening: the sink answered, only that destination's pipelines wait", async () => {
    const { sink, breaker, changes } = setup();
    for (const missing of [new KafkaTopicError(TOPIC, "missing"), new DestinationError("http", "endpoint /orders", "404")]) {
      sink.behaviour = () => {
        throw missing;
      };
      expect(await breaker.deliver(RECORDS, SIGNAL).catch((error) => error)).toBe(missing);
      expect(breaker.isOpen()).toBe(false);
    }
    expect(changes).toEqual([]);
  });

  test("opens only on SinkUnavailableError: other errors, of a dependency or of no kind, pass through and leave it as it was", async () => {
    const others = [
      new DependencyError("kafka", "a dependency error that is no outage", { retriable: true }),
      new KafkaSendError(TOPIC, "request timed out", { retriable: true }),
      new TypeError("a bug"),
    ];
    for (const thrown of others) {
      const { sink, breaker, changes } = setup();
      sink.behaviour = () => {
        throw thrown;
      };
      expect(await breaker.deliver(RECORDS, SIGNAL).catch((error) => error)).toBe(thrown);
      expect(breaker.isOpen()).toBe(false);
      expect(changes).toEqual([]);
    }
    // Nor do they close it once it is open: only an answer of the sink does.
    const { sink, breaker, changes, outage, advance } = setup();
    outage();
    await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
    advance(1_000);
    sink.behaviour = () => {
      throw new TypeError("a bug");
    };
    await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
    expect(breaker.isOpen()).toBe(true);
    expect(changes.map(([open]) => open)).toEqual([true]);
  });

  test("hands each message's outcome through, and closes when only some messages failed", async () => {
    const { sink, breaker, changes, outage, advance } = setup();
    outage();
    await breaker.deliver(RECORDS, SIGNAL).catch(() => {});
    advance(1_000);
    const away = new DependencyError("kafka", "partition 1 waits for its leader", { retriable: true });
    sink.behaviour = () => [{ ok: true }, { ok: false, kind: "deferred", error: away }];
    const outcomes = await breaker.deliver([...RECORDS, { topic: TOPIC, key: "e2", value: "{}", headers: {} }], SIGNAL);
    expect(outcomes).toEqual([{ ok: true }, { ok: false, kind: "deferred", error: away }]);
    expect(breaker.isOpen()).toBe(false);
    expect(changes.map(([open]) => open)).toEqual([true, false]);
  });
});
