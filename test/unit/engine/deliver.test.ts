import { describe, expect, test } from "bun:test";
import { deliverAll, eventsOf, groupsWithin } from "../../../src/engine/deliver.ts";
import { DependencyError, PermanentEventError, SinkUnavailableError } from "../../../src/engine/errors.ts";
import type { DeliveryOutcome, Encoded, SinkLimits } from "../../../src/engine/ports.ts";
import { KafkaSendError } from "../../../src/sinks/kafka/errors.ts";
import { KAFKA_FRAMING, type KafkaMessage } from "../../../src/sinks/kafka/message.ts";
import { event, FakeSink } from "./fakes.ts";

const TOPIC = "hobom.messages";
const NO_SIGNAL = new AbortController().signal;

/** A message of one event, `bytes` heavy, its key the event's id (and its ordering key, when given). */
function message(key: string, bytes = 100, orderingKey?: string): Encoded<KafkaMessage> {
  const value = `{"id":"${key}"}`;
  return {
    events: [event(key, { orderingKey })],
    message: { topic: TOPIC, key, value, headers: { "event-id": key } },
    bytes,
    deadLetterValues: [value],
    destination: TOPIC,
    recordKey: key,
  };
}

const limits = (maxBytes: number, maxEvents = Number.POSITIVE_INFINITY): SinkLimits<KafkaMessage> => ({
  maxEvents,
  maxBytes,
  maxBytesSetting: "HOBOM_KAFKA_MAX_MESSAGE_BYTES",
});
const sinkWith = (maxBytes: number, maxEvents?: number) => {
  const sink = new FakeSink();
  sink.limits = limits(maxBytes, maxEvents);
  return sink;
};
const keys = (messages: readonly Encoded<KafkaMessage>[]) => messages.map((item) => item.message.key);
const permanent = (text = "MESSAGE_TOO_LARGE") => new KafkaSendError(TOPIC, text, { retriable: false, scope: "records" });
const away = () => new DependencyError("kafka", "partition 2 of hobom.messages waits for its leader", { retriable: true });

describe("groupsWithin", () => {
  test("groups consecutive messages whose bytes add up to at most the limit", () => {
    const items = [message("a", 40), message("b", 40), message("c", 30), message("d", 90), message("e", 10)];
    expect(groupsWithin(items, limits(100)).map(keys)).toEqual([["a", "b"], ["c"], ["d", "e"]]);
  });

  test("puts a message larger than the limit in a group of its own", () => {
    expect(groupsWithin([message("a", 10), message("big", 500), message("c", 10)], limits(100)).map(keys)).toEqual([["a"], ["big"], ["c"]]);
  });

  test("fills a group up to exactly the limit", () => {
    expect(groupsWithin([message("a", 50), message("b", 50), message("c", 1)], limits(100)).map(keys)).toEqual([["a", "b"], ["c"]]);
  });

  test("makes no group of nothing", () => {
    expect(groupsWithin([], limits(100))).toEqual([]);
  });

  test("puts at most maxEvents messages in a group, however small they are", () => {
    const items = ["a", "b", "c", "d", "e"].map((key) => message(key, 1));
    expect(groupsWithin(items, limits(1_000, 2)).map(keys)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(groupsWithin(items, limits(Number.POSITIVE_INFINITY, 1)).map(keys)).toEqual([["a"], ["b"], ["c"], ["d"], ["e"]]);
  });
});

describe("groupsWithin with Kafka's framing", () => {
  test("counts per-message (with its headers) and per-delivery framing, so a full group stays under the limit once framed", () => {
    const items: Encoded<KafkaMessage>[] = Array.from({ length: 5_000 }, (_, index) => ({
      events: [],
      message: { topic: TOPIC, key: `key-${index}`, value: "v".repeat(280), headers: { "event-id": "e", "event-type": "MESSAGE", source: "s" } },
      bytes: 300,
      deadLetterValues: [],
    }));
    const max = 1_000_000;
    const framed = (group: readonly Encoded<KafkaMessage>[]) => KAFKA_FRAMING.perDelivery + group.reduce((sum, item) => sum + item.bytes + 20 + 3 * 2, 0);
    const groups = groupsWithin(items, { ...limits(max), framing: KAFKA_FRAMING });
    for (const group of groups) expect(framed(group)).toBeLessThanOrEqual(max);
    expect(groups.flat()).toHaveLength(5_000);
    // Without framing, the first group is over the limit once Kafka frames it: the broker refuses it.
    const [unframed] = groupsWithin(items, limits(max));
    expect(framed(unframed ?? [])).toBeGreaterThan(max);
  });
});

describe("deliverAll", () => {
  test("delivers one group per size limit and hands each acknowledged group to onAcked before the next delivery", async () => {
    const sink = sinkWith(100);
    const timeline = sink.timeline;
    const items = ["a", "b", "c", "d", "e"].map((key) => message(key, 40));
    const result = await deliverAll({
      sink,
      messages: items,
      signal: NO_SIGNAL,
      onAcked: async (acked) => {
        await Promise.resolve();
        timeline.push(`acked:${keys(acked).join(",")}`);
      },
    });
    expect(result).toEqual({ refused: [], unsent: [], untried: [] });
    expect(sink.deliveries.map((messages) => messages.map((item) => item.topic))).toEqual([[TOPIC, TOPIC], [TOPIC, TOPIC], [TOPIC]]);
    expect(timeline).toEqual(["send:a,b", "acked:a,b", "send:c,d", "acked:c,d", "send:e", "acked:e"]);
  });

  test("splits a delivery the sink refuses as a whole for one bad message: the others are delivered, only that one is refused", async () => {
    const sink = sinkWith(1_000);
    const refusal = new PermanentEventError("MESSAGE_TOO_LARGE");
    sink.behaviour = (messages) => {
      if (messages.some((item) => item.key === "bad")) throw refusal;
    };
    const items = ["a", "b", "c", "bad", "e", "f", "g"].map((key) => message(key, 10));
    const acked: string[] = [];
    const result = await deliverAll({ sink, messages: items, signal: NO_SIGNAL, onAcked: async (group) => void acked.push(...keys(group)) });

    expect(result.stoppedBy).toBeUndefined();
    expect(result.refused.map((item) => keys([item.encoded]))).toEqual([["bad"]]);
    const [refused] = result.refused;
    expect(refused?.error).toBe(refusal);
    expect(refused?.encoded.deadLetterValues).toEqual(['{"id":"bad"}']);
    expect(refused?.encoded.recordKey).toBe("bad");
    expect(acked.sort()).toEqual(["a", "b", "c", "e", "f", "g"]);
    expect(sink.acked.map((item) => item.key).sort()).toEqual(["a", "b", "c", "e", "f", "g"]);
    // Depth first: whole (7), the refused first half (4), its halves (2 acknowledged, 2 refused), that pair alone (1, 1), then the second half (3).
    expect(sink.sentKeys()).toEqual([["a", "b", "c", "bad", "e", "f", "g"], ["a", "b", "c", "bad"], ["a", "b"], ["c", "bad"], ["c"], ["bad"], ["e", "f", "g"]]);
  });

  test("refuses every message of a destination the sink refuses without split, without delivering any again", async () => {
    const sink = sinkWith(100);
    const topicRefusal = new KafkaSendError(TOPIC, "INVALID_TOPIC_EXCEPTION", { retriable: false, scope: "topic" });
    sink.behaviour = (messages) => messages.map(() => ({ ok: false, kind: "rejected", error: topicRefusal }));
    const items = ["a", "b", "c", "d"].map((key) => message(key, 50));
    let ackedCalls = 0;
    const result = await deliverAll({ sink, messages: items, signal: NO_SIGNAL, onAcked: async () => void ackedCalls++ });
    expect(sink.sentKeys()).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(result.refused.map((item) => item.encoded.message.key)).toEqual(["a", "b", "c", "d"]);
    // The sink's error, as a PermanentEventError with the same message, for the DLQ.
    for (const item of result.refused) {
      expect(item.error).toBeInstanceOf(PermanentEventError);
      expect(item.error.message).toBe(topicRefusal.message);
      expect(item.error.cause).toBe(topicRefusal);
    }
    expect(result.stoppedBy).toBeUndefined();
    expect(ackedCalls).toBe(0);
  });

  test("refuses a message that carries several events with each event's own dead-letter value", async () => {
    const sink = sinkWith(1_000);
    sink.behaviour = (messages) => messages.map(() => ({ ok: false, kind: "rejected", error: permanent() }));
    const logMessage: Encoded<KafkaMessage> = {
      events: [event("l1"), event("l2")],
      message: { topic: "hobom.logs", key: "hobom-log-1", value: '[{"n":1},{"n":2}]', headers: {} },
      bytes: 30,
      deadLetterValues: ['[{"n":1}]', '[{"n":2}]'],
      destination: "hobom.logs",
    };
    const result = await deliverAll({ sink, messages: [logMessage], signal: NO_SIGNAL, onAcked: async () => {} });
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]?.encoded).toBe(logMessage);
    expect(eventsOf(result.refused.map((item) => item.encoded)).map((item) => item.id)).toEqual(["l1", "l2"]);
  });

  test("stops when the sink cannot be reached: returns why as stoppedBy, refuses nothing and delivers no later group", async () => {
    const sink = sinkWith(100);
    const outage = new SinkUnavailableError("kafka", "no broker answers");
    sink.behaviour = (_messages, call) => {
      if (call === 1) throw outage;
    };
    const acked: string[] = [];
    const items = ["a", "b", "c", "d", "e", "f"].map((key) => message(key, 50));
    const result = await deliverAll({ sink, messages: items, signal: NO_SIGNAL, onAcked: async (group) => void acked.push(...keys(group)) });
    expect(result.stoppedBy).toBe(outage);
    expect(result.refused).toEqual([]);
    expect(result.unsent).toEqual([]);
    expect(keys(result.untried)).toEqual(["c", "d", "e", "f"]);
    expect(sink.deliveries).toHaveLength(2);
    expect(acked).toEqual(["a", "b"]);
  });

  test("stops at an error of no kind (a bug), and at a Kafka error the sink should have turned into an outcome", async () => {
    for (const thrown of [new TypeError("cannot read properties of undefined"), permanent()]) {
      const sink = sinkWith(100);
      sink.behaviour = () => {
        throw thrown;
      };
      const result = await deliverAll({ sink, messages: [message("a"), message("b")], signal: NO_SIGNAL, onAcked: async () => {} });
      expect(result.stoppedBy).toBe(thrown);
      expect(result.refused).toEqual([]);
      expect(keys(result.untried)).toEqual(["a", "b"]);
      expect(sink.deliveries).toHaveLength(1);
    }
  });

  test("stops before the next group once the signal aborted", async () => {
    const sink = sinkWith(100);
    const controller = new AbortController();
    const reason = new Error("SIGTERM");
    const items = ["a", "b", "c"].map((key) => message(key, 100));
    const result = await deliverAll({ sink, messages: items, signal: controller.signal, onAcked: async () => controller.abort(reason) });
    expect(sink.sentKeys()).toEqual([["a"]]);
    expect(result.stoppedBy).toBe(reason);
    expect(result.refused).toEqual([]);
    expect(keys(result.untried)).toEqual(["b", "c"]);
  });

  test("delivers nothing when the signal aborted before the first group", async () => {
    const sink = sinkWith(100);
    const controller = new AbortController();
    controller.abort();
    const result = await deliverAll({ sink, messages: [message("a")], signal: controller.signal, onAcked: async () => {} });
    expect(sink.deliveries).toEqual([]);
    expect(result.stoppedBy).toBe(controller.signal.reason);
    expect(keys(result.untried)).toEqual(["a"]);
  });

  test("stops before a delivery whose check fails (the ownership check), with nothing delivered", async () => {
    const sink = sinkWith(100);
    const lost = new Error("lease lost");
    let checks = 0;
    const result = await deliverAll({
      sink,
      messages: ["a", "b"].map((key) => message(key, 100)),
      signal: NO_SIGNAL,
      beforeDelivery: async () => {
        if (checks++ === 1) throw lost;
      },
      onAcked: async () => {},
    });
    expect(sink.sentKeys()).toEqual([["a"]]);
    expect(result.stoppedBy).toBe(lost);
    expect(keys(result.untried)).toEqual(["b"]);
  });

  test("passes the signal to the sink", async () => {
    const sink = sinkWith(100);
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    sink.behaviour = (_messages, _call, signal) => void seen.push(signal);
    await deliverAll({ sink, messages: [message("a")], signal: controller.signal, onAcked: async () => {} });
    expect(seen).toEqual([controller.signal]);
  });
});

/** A delivery whose messages fail by partition, as the Kafka sink reports them: `fate` per key. */
function partitioned(fate: (key: string, call: number) => "ok" | "refused" | "away" | "retry") {
  const refused = permanent();
  const leader = away();
  const again = new Error("try again later");
  return (messages: readonly KafkaMessage[], call: number): DeliveryOutcome[] =>
    messages.map((item) => {
      const verdict = fate(item.key, call);
      if (verdict === "ok") return { ok: true };
      if (verdict === "refused") return { ok: false, kind: "rejected", error: refused, split: messages.length > 1 };
      return { ok: false, kind: verdict === "away" ? "deferred" : "retry", error: verdict === "away" ? leader : again };
    });
}

describe("deliverAll with outcomes per message", () => {
  test("hands the acknowledged messages of a partly acknowledged delivery to onAcked, and never delivers them again", async () => {
    const sink = sinkWith(1_000);
    sink.behaviour = partitioned((key) => (key === "c" || key === "e" ? "away" : "ok"));
    const acked: string[][] = [];
    const items = ["a", "b", "c", "d", "e"].map((key) => message(key, 10));
    const result = await deliverAll({ sink, messages: items, signal: NO_SIGNAL, onAcked: async (group) => void acked.push(keys(group)) });
    expect(acked).toEqual([["a", "b", "d"]]);
    expect(result.unsent.map((item) => [item.encoded.message.key, item.kind])).toEqual([
      ["c", "deferred"],
      ["e", "deferred"],
    ]);
    expect(result.unsent[0]?.error.message).toBe("partition 2 of hobom.messages waits for its leader");
    expect(result.refused).toEqual([]);
    expect(result.stoppedBy).toBeUndefined();
    expect(sink.deliveries).toHaveLength(1);
  });

  test("goes on with the next groups while some partition's leader is unreachable", async () => {
    const sink = sinkWith(100);
    sink.behaviour = partitioned((key) => (key.startsWith("x") ? "away" : "ok"));
    const acked: string[] = [];
    const items = ["a", "x1", "b", "x2", "c", "d"].map((key) => message(key, 40));
    const result = await deliverAll({ sink, messages: items, signal: NO_SIGNAL, onAcked: async (group) => void acked.push(...keys(group)) });
    expect(sink.sentKeys()).toEqual([
      ["a", "x1"],
      ["b", "x2"],
      ["c", "d"],
    ]);
    expect(acked).toEqual(["a", "b", "c", "d"]);
    expect(result.unsent.map((item) => item.encoded.message.key)).toEqual(["x1", "x2"]);
  });

  test("splits only the refused part of a delivery to find the message at fault; the acknowledged part is not delivered again", async () => {
    const sink = sinkWith(1_000);
    // One partition (a, bad, c) is refused as a whole for one message; the other (p, q) is acknowledged.
    sink.behaviour = (messages) => {
      const refusedPartition = messages.some((item) => item.key === "bad");
      return messages.map((item) =>
        ["p", "q"].includes(item.key) || !refusedPartition ? { ok: true } : { ok: false, kind: "rejected", error: permanent(), split: true },
      );
    };
    const acked: string[][] = [];
    const items = ["a", "p", "bad", "q", "c"].map((key) => message(key, 10));
    const result = await deliverAll({ sink, messages: items, signal: NO_SIGNAL, onAcked: async (group) => void acked.push(keys(group)) });
    expect(result.refused.map((item) => item.encoded.message.key)).toEqual(["bad"]);
    expect(acked.flat().sort()).toEqual(["a", "c", "p", "q"]);
    // Every message reached the sink's acknowledgement exactly once.
    expect(sink.acked.map((item) => item.key).sort()).toEqual(["a", "c", "p", "q"]);
    expect(sink.sentKeys()[0]).toEqual(["a", "p", "bad", "q", "c"]);
    expect(
      sink
        .sentKeys()
        .slice(1)
        .every((sent) => sent.every((key) => !["p", "q"].includes(key))),
    ).toBe(true);
  });

  test("refuses a message refused alone without delivering it again", async () => {
    const sink = sinkWith(1_000);
    sink.behaviour = partitioned((key) => (key === "big" ? "refused" : "ok"));
    const result = await deliverAll({ sink, messages: ["a", "big", "b"].map((key) => message(key)), signal: NO_SIGNAL, onAcked: async () => {} });
    expect(result.refused.map((item) => item.encoded.message.key)).toEqual(["big"]);
    expect(sink.deliveries).toHaveLength(1);
  });

  test("reports a retry outcome as unsent for the events' own reason, apart from a deferred one", async () => {
    const sink = sinkWith(1_000);
    sink.behaviour = partitioned((key) => (key === "r" ? "retry" : key === "d" ? "away" : "ok"));
    const result = await deliverAll({ sink, messages: ["r", "d", "ok"].map((key) => message(key)), signal: NO_SIGNAL, onAcked: async () => {} });
    expect(result.unsent.map((item) => [item.encoded.message.key, item.kind, item.error.message])).toEqual([
      ["r", "retry", "try again later"],
      ["d", "deferred", "partition 2 of hobom.messages waits for its leader"],
    ]);
    expect(result.refused).toEqual([]);
  });
});

describe("deliverAll and the split flag", () => {
  test("refuses every message rejected without split at once: the sink knows each is at fault", async () => {
    const sink = sinkWith(1_000);
    sink.behaviour = (messages) => messages.map(() => ({ ok: false, kind: "rejected", error: permanent("INVALID_RECORD") }));
    const result = await deliverAll({ sink, messages: ["a", "b", "c", "d"].map((key) => message(key, 10)), signal: NO_SIGNAL, onAcked: async () => {} });
    expect(result.refused.map((item) => item.encoded.message.key)).toEqual(["a", "b", "c", "d"]);
    expect(sink.deliveries).toHaveLength(1);
  });

  test("bisects the messages rejected with split until each refused one stands alone", async () => {
    const sink = sinkWith(1_000);
    // The sink refuses any request that holds "b" or "d" as a whole.
    sink.behaviour = (messages) => {
      const bad = messages.some((item) => item.key === "b" || item.key === "d");
      return messages.map(() => (bad ? { ok: false, kind: "rejected", error: permanent(), split: true } : { ok: true }));
    };
    const result = await deliverAll({ sink, messages: ["a", "b", "c", "d"].map((key) => message(key, 10)), signal: NO_SIGNAL, onAcked: async () => {} });
    expect(result.refused.map((item) => item.encoded.message.key)).toEqual(["b", "d"]);
    expect(sink.sentKeys()).toEqual([["a", "b", "c", "d"], ["a", "b"], ["a"], ["b"], ["c", "d"], ["c"], ["d"]]);
    expect(sink.acked.map((item) => item.key)).toEqual(["a", "c"]);
  });

  test("refuses a message rejected with split that was alone in its delivery without trying it again", async () => {
    const sink = sinkWith(100);
    sink.behaviour = (messages) => messages.map(() => ({ ok: false, kind: "rejected", error: permanent(), split: true }));
    const result = await deliverAll({ sink, messages: [message("a", 100)], signal: NO_SIGNAL, onAcked: async () => {} });
    expect(result.refused.map((item) => item.encoded.message.key)).toEqual(["a"]);
    expect(sink.deliveries).toHaveLength(1);
  });
});

describe("deliverAll and ordering keys", () => {
  test("holds back a later message of a key whose message did not go, and delivers the other keys", async () => {
    const sink = sinkWith(1_000, 1);
    sink.behaviour = partitioned((key) => (key === "a1" ? "away" : "ok"));
    const held = new Set<string>();
    const items = [message("a1", 10, "k1"), message("b1", 10, "k2"), message("a2", 10, "k1"), message("b2", 10, "k2")];
    const result = await deliverAll({ sink, messages: items, signal: NO_SIGNAL, held, onAcked: async () => {} });
    expect(sink.sentKeys()).toEqual([["a1"], ["b1"], ["b2"]]);
    expect(result.unsent.map((item) => [item.encoded.message.key, item.kind, item.error.message])).toEqual([
      ["a1", "deferred", "partition 2 of hobom.messages waits for its leader"],
      ["a2", "deferred", "held back behind an earlier event of its ordering key"],
    ]);
    expect([...held]).toEqual(["k1"]);
  });

  test("a retried message holds its key as well", async () => {
    const sink = sinkWith(1_000, 1);
    sink.behaviour = partitioned((key) => (key === "a1" ? "retry" : "ok"));
    const held = new Set<string>();
    const result = await deliverAll({ sink, messages: [message("a1", 10, "k1"), message("a2", 10, "k1")], signal: NO_SIGNAL, held, onAcked: async () => {} });
    expect(sink.sentKeys()).toEqual([["a1"]]);
    expect(result.unsent.map((item) => [item.encoded.message.key, item.kind])).toEqual([
      ["a1", "retry"],
      ["a2", "deferred"],
    ]);
    expect([...held]).toEqual(["k1"]);
  });

  test("a refused message does not hold its key: it goes to the DLQ, the next of its key may go", async () => {
    const sink = sinkWith(1_000, 1);
    sink.behaviour = partitioned((key) => (key === "a1" ? "refused" : "ok"));
    const held = new Set<string>();
    const result = await deliverAll({ sink, messages: [message("a1", 10, "k1"), message("a2", 10, "k1")], signal: NO_SIGNAL, held, onAcked: async () => {} });
    expect(sink.sentKeys()).toEqual([["a1"], ["a2"]]);
    expect(result.refused.map((item) => item.encoded.message.key)).toEqual(["a1"]);
    expect(held.size).toBe(0);
  });

  test("delivers no message of a key held before (by an earlier slice of the cycle), and the rest of its group", async () => {
    const sink = sinkWith(1_000);
    const held = new Set(["k1"]);
    const result = await deliverAll({
      sink,
      messages: [message("a1", 10, "k1"), message("b1", 10, "k2"), message("c1", 10)],
      signal: NO_SIGNAL,
      held,
      onAcked: async () => {},
    });
    expect(sink.sentKeys()).toEqual([["b1", "c1"]]);
    expect(result.unsent.map((item) => [item.encoded.message.key, item.kind])).toEqual([["a1", "deferred"]]);
  });

  test("delivers nothing at all for a group whose every message is held", async () => {
    const sink = sinkWith(1_000);
    const result = await deliverAll({ sink, messages: [message("a1", 10, "k1")], signal: NO_SIGNAL, held: new Set(["k1"]), onAcked: async () => {} });
    expect(sink.deliveries).toEqual([]);
    expect(result.unsent.map((item) => item.encoded.message.key)).toEqual(["a1"]);
  });

  test("never holds back a message without an ordering key", async () => {
    const sink = sinkWith(1_000, 1);
    sink.behaviour = partitioned((key) => (key === "e1" ? "away" : "ok"));
    const held = new Set<string>();
    const result = await deliverAll({ sink, messages: [message("e1", 10), message("e2", 10)], signal: NO_SIGNAL, held, onAcked: async () => {} });
    expect(sink.sentKeys()).toEqual([["e1"], ["e2"]]);
    expect(result.unsent.map((item) => item.encoded.message.key)).toEqual(["e1"]);
    expect(held.size).toBe(0);
  });
});
