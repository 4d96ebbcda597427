import { describe, expect, test } from "bun:test";
import { KafkaSendError, PermanentEventError } from "../../../src/errors.ts";
import { batchesBySize, KAFKA_FRAMING, publishDeliveries } from "../../../src/relay/publish.ts";
import type { SendOutcome } from "../../../src/relay/ports.ts";
import type { Delivery } from "../../../src/relay/records.ts";
import { outboxRow } from "../pipelines/payloads.ts";
import { FakeSink } from "./fakes.ts";

const TOPIC = "hobom.messages";

function delivery(key: string, bytes = 100): Delivery {
  return { rows: [outboxRow(key, "MESSAGE", {})], record: { key, value: `{"id":"${key}"}`, headers: { "event-id": key } }, bytes };
}

const keys = (deliveries: readonly Delivery[]) => deliveries.map((item) => item.record.key);
const permanent = (scope: "records" | "topic" = "records") => new KafkaSendError(TOPIC, "MESSAGE_TOO_LARGE", { retriable: false, scope });

describe("batchesBySize", () => {
  test("groups consecutive deliveries whose bytes add up to at most the limit", () => {
    const items = [delivery("a", 40), delivery("b", 40), delivery("c", 30), delivery("d", 90), delivery("e", 10)];
    expect(batchesBySize(items, 100).map(keys)).toEqual([["a", "b"], ["c"], ["d", "e"]]);
  });

  test("puts a delivery larger than the limit in a batch of its own", () => {
    expect(batchesBySize([delivery("a", 10), delivery("big", 500), delivery("c", 10)], 100).map(keys)).toEqual([["a"], ["big"], ["c"]]);
  });

  test("fills a batch up to exactly the limit", () => {
    expect(batchesBySize([delivery("a", 50), delivery("b", 50), delivery("c", 1)], 100).map(keys)).toEqual([["a", "b"], ["c"]]);
  });

  test("makes no batch of nothing", () => {
    expect(batchesBySize([], 100)).toEqual([]);
  });
});

describe("publishDeliveries", () => {
  test("sends one batch per size group and hands each acked batch to onAcked before the next send", async () => {
    const sink = new FakeSink();
    const timeline = sink.timeline;
    const items = ["a", "b", "c", "d", "e"].map((key) => delivery(key, 40));
    const result = await publishDeliveries({
      sink,
      topic: TOPIC,
      deliveries: items,
      maxBatchBytes: 100,
      onAcked: async (acked) => {
        await Promise.resolve();
        timeline.push(`acked:${keys(acked).join(",")}`);
      },
    });
    expect(result).toEqual({ rejections: [], deferred: [] });
    expect(sink.sends.map((send) => send.topic)).toEqual([TOPIC, TOPIC, TOPIC]);
    expect(timeline).toEqual(["send:a,b", "acked:a,b", "send:c,d", "acked:c,d", "send:e", "acked:e"]);
  });

  test("splits a batch Kafka refuses for one bad record: the others are delivered, only that one is rejected", async () => {
    const sink = new FakeSink();
    sink.behaviour = (_topic, records) => {
      if (records.some((record) => record.key === "bad")) throw permanent();
    };
    const items = ["a", "b", "c", "bad", "e", "f", "g"].map((key) => delivery(key, 10));
    const acked: string[] = [];
    const result = await publishDeliveries({ sink, topic: TOPIC, deliveries: items, maxBatchBytes: 1000, onAcked: async (batch) => void acked.push(...keys(batch)) });

    expect(result.stoppedBy).toBeUndefined();
    expect(result.rejections.map((rejection) => rejection.row.eventId)).toEqual(["bad"]);
    const [rejection] = result.rejections;
    expect(rejection?.error).toBeInstanceOf(PermanentEventError);
    expect(rejection?.error.cause).toBeInstanceOf(KafkaSendError);
    expect(rejection?.value).toBe('{"id":"bad"}');
    expect(rejection?.recordKey).toBe("bad");
    expect(acked.sort()).toEqual(["a", "b", "c", "e", "f", "g"]);
    expect(sink.acked.map((record) => record.key).sort()).toEqual(["a", "b", "c", "e", "f", "g"]);
  });

  test("rejects every record of a topic Kafka refuses, without splitting the batches", async () => {
    const sink = new FakeSink();
    sink.behaviour = () => {
      throw permanent("topic");
    };
    const items = ["a", "b", "c", "d"].map((key) => delivery(key, 50));
    let ackedCalls = 0;
    const result = await publishDeliveries({ sink, topic: TOPIC, deliveries: items, maxBatchBytes: 100, onAcked: async () => void ackedCalls++ });
    expect(sink.sends.map((send) => send.records.map((record) => record.key))).toEqual([["a", "b"], ["c", "d"]]);
    expect(result.rejections.map((rejection) => rejection.row.eventId)).toEqual(["a", "b", "c", "d"]);
    expect(result.stoppedBy).toBeUndefined();
    expect(ackedCalls).toBe(0);
  });

  test("rejects each row of a refused log record as its own one-element array", async () => {
    const sink = new FakeSink();
    sink.behaviour = () => {
      throw permanent();
    };
    const rows = [outboxRow("l1", "HOBOM_LOG", {}), outboxRow("l2", "HOBOM_LOG", {})];
    const logDelivery: Delivery = { rows, record: { key: "hobom-log-1", value: '[{"n":1},{"n":2}]', headers: {} }, bytes: 30 };
    const result = await publishDeliveries({ sink, topic: "hobom.logs", deliveries: [logDelivery], maxBatchBytes: 1000, onAcked: async () => {} });
    expect(result.rejections.map((rejection) => [rejection.row.eventId, rejection.value])).toEqual([
      ["l1", '[{"n":1}]'],
      ["l2", '[{"n":2}]'],
    ]);
  });

  test("stops at a retriable error: returns it as stoppedBy, rejects nothing and sends no later batch", async () => {
    const sink = new FakeSink();
    const outage = new KafkaSendError(TOPIC, "broker down", { retriable: true });
    sink.behaviour = (_topic, _records, call) => {
      if (call === 1) throw outage;
    };
    const acked: string[] = [];
    const items = ["a", "b", "c", "d", "e", "f"].map((key) => delivery(key, 50));
    const result = await publishDeliveries({ sink, topic: TOPIC, deliveries: items, maxBatchBytes: 100, onAcked: async (batch) => void acked.push(...keys(batch)) });
    expect(result.stoppedBy).toBe(outage);
    expect(result.rejections).toEqual([]);
    expect(sink.sends).toHaveLength(2);
    expect(acked).toEqual(["a", "b"]);
  });

  test("stops at an error that is not a Kafka send error", async () => {
    const sink = new FakeSink();
    const bug = new TypeError("cannot read properties of undefined");
    sink.behaviour = () => {
      throw bug;
    };
    const result = await publishDeliveries({ sink, topic: TOPIC, deliveries: [delivery("a"), delivery("b")], maxBatchBytes: 100, onAcked: async () => {} });
    expect(result.stoppedBy).toBe(bug);
    expect(sink.sends).toHaveLength(1);
  });

  test("stops before the next batch once the signal aborted", async () => {
    const sink = new FakeSink();
    const controller = new AbortController();
    const reason = new Error("SIGTERM");
    const items = ["a", "b", "c"].map((key) => delivery(key, 100));
    const result = await publishDeliveries({
      sink,
      topic: TOPIC,
      deliveries: items,
      maxBatchBytes: 100,
      signal: controller.signal,
      onAcked: async () => controller.abort(reason),
    });
    expect(sink.sends.map((send) => send.records[0]?.key)).toEqual(["a"]);
    expect(result.stoppedBy).toBe(reason);
    expect(result.rejections).toEqual([]);
  });

  test("sends nothing when the signal aborted before the first batch", async () => {
    const sink = new FakeSink();
    const controller = new AbortController();
    controller.abort();
    const result = await publishDeliveries({ sink, topic: TOPIC, deliveries: [delivery("a")], maxBatchBytes: 100, signal: controller.signal, onAcked: async () => {} });
    expect(sink.sends).toEqual([]);
    expect(result.stoppedBy).toBe(controller.signal.reason);
  });
});

describe("batchesBySize with Kafka's framing", () => {
  test("counts per-record, per-header and per-batch framing, so a full batch stays under the limit once framed", () => {
    const deliveries = Array.from({ length: 5_000 }, (_, index) => ({
      rows: [],
      record: { key: `key-${index}`, value: "v".repeat(280), headers: { "event-id": "e", "event-type": "MESSAGE", source: "s" } },
      bytes: 300,
    }));
    const max = 1_000_000;
    const batches = batchesBySize(deliveries, max, KAFKA_FRAMING);
    for (const batch of batches) {
      const framed = KAFKA_FRAMING.perBatch + batch.reduce((sum, delivery) => sum + delivery.bytes + KAFKA_FRAMING.perRecord + 3 * KAFKA_FRAMING.perHeader, 0);
      expect(framed).toBeLessThanOrEqual(max);
    }
    expect(batches.flat()).toHaveLength(5_000);
    // Without framing, the first batch is over the limit once Kafka frames it: the broker refuses it.
    const [unframed] = batchesBySize(deliveries, max);
    const unframedOnTheWire = KAFKA_FRAMING.perBatch + (unframed ?? []).reduce((sum, delivery) => sum + delivery.bytes + KAFKA_FRAMING.perRecord + 3 * KAFKA_FRAMING.perHeader, 0);
    expect(unframedOnTheWire).toBeGreaterThan(max);
  });
});

/** A send whose records fail by partition, as the Kafka sink reports them: `fate` per key. */
function partitioned(fate: (key: string, call: number) => "ok" | "refused" | "unreachable") {
  const refused = permanent();
  const unreachable = new KafkaSendError(TOPIC, "partition 2 waits for its leader", { retriable: true });
  return (_topic: string, records: readonly { key: string }[], call: number): SendOutcome[] =>
    records.map((record) => {
      const verdict = fate(record.key, call);
      return verdict === "ok" ? { ok: true } : { ok: false, error: verdict === "refused" ? refused : unreachable };
    });
}

describe("publishDeliveries with outcomes per record", () => {
  test("records and marks the acknowledged records of a partly acknowledged send, and never sends them again", async () => {
    const sink = new FakeSink();
    sink.behaviour = partitioned((key) => (key === "c" || key === "e" ? "unreachable" : "ok"));
    const acked: string[][] = [];
    const items = ["a", "b", "c", "d", "e"].map((key) => delivery(key, 10));
    const result = await publishDeliveries({ sink, topic: TOPIC, deliveries: items, maxBatchBytes: 1000, onAcked: async (batch) => void acked.push(keys(batch)) });
    expect(acked).toEqual([["a", "b", "d"]]);
    expect(keys(result.deferred)).toEqual(["c", "e"]);
    expect(result.rejections).toEqual([]);
    expect(result.stoppedBy).toBeUndefined();
    expect(sink.sends).toHaveLength(1);
  });

  test("goes on with the next batches while some partition's leader is unreachable", async () => {
    const sink = new FakeSink();
    sink.behaviour = partitioned((key) => (key.startsWith("x") ? "unreachable" : "ok"));
    const acked: string[] = [];
    const items = ["a", "x1", "b", "x2", "c", "d"].map((key) => delivery(key, 40));
    const result = await publishDeliveries({ sink, topic: TOPIC, deliveries: items, maxBatchBytes: 100, onAcked: async (batch) => void acked.push(...keys(batch)) });
    expect(sink.sends.map((send) => send.records.map((record) => record.key))).toEqual([["a", "x1"], ["b", "x2"], ["c", "d"]]);
    expect(acked).toEqual(["a", "b", "c", "d"]);
    expect(keys(result.deferred)).toEqual(["x1", "x2"]);
  });

  test("splits only the refused part of a send to find the record at fault; the acknowledged part is not sent again", async () => {
    const sink = new FakeSink();
    // One partition (a, bad, c) is refused as a whole for one record; the other (p, q) is acknowledged.
    sink.behaviour = (_topic, records) => {
      const refusedPartition = records.some((record) => record.key === "bad");
      return records.map((record) =>
        ["p", "q"].includes(record.key) || !refusedPartition ? { ok: true as const } : { ok: false as const, error: permanent() },
      );
    };
    const acked: string[][] = [];
    const items = ["a", "p", "bad", "q", "c"].map((key) => delivery(key, 10));
    const result = await publishDeliveries({ sink, topic: TOPIC, deliveries: items, maxBatchBytes: 1000, onAcked: async (batch) => void acked.push(keys(batch)) });
    expect(result.rejections.map((rejection) => rejection.row.eventId)).toEqual(["bad"]);
    expect(acked.flat().sort()).toEqual(["a", "c", "p", "q"]);
    // Every record reached Kafka's acknowledgement exactly once.
    expect(sink.acked.map((record) => record.key).sort()).toEqual(["a", "c", "p", "q"]);
    expect(sink.sends[0]?.records.map((record) => record.key)).toEqual(["a", "p", "bad", "q", "c"]);
    expect(sink.sends.slice(1).every((send) => send.records.every((record) => !["p", "q"].includes(record.key)))).toBe(true);
  });

  test("dead-letters a record refused alone without sending it again", async () => {
    const sink = new FakeSink();
    sink.behaviour = partitioned((key) => (key === "big" ? "refused" : "ok"));
    const result = await publishDeliveries({ sink, topic: TOPIC, deliveries: ["a", "big", "b"].map((key) => delivery(key)), maxBatchBytes: 1000, onAcked: async () => {} });
    expect(result.rejections.map((rejection) => rejection.row.eventId)).toEqual(["big"]);
    expect(sink.sends).toHaveLength(1);
  });
});
