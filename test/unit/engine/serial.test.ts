import { describe, expect, test } from "bun:test";
import { publishDeliveries } from "../../../src/relay/publish.ts";
import type { KafkaRecord } from "../../../src/relay/ports.ts";
import type { Delivery } from "../../../src/relay/records.ts";
import { createSerial } from "../../../src/relay/serial.ts";

const delivery = (key: string): Delivery => ({
  rows: [],
  record: { key, value: "{}", headers: {} },
  bytes: 10,
});

describe("createSerial", () => {
  test("runs tasks one at a time in the order given, and a failure does not stop the next", async () => {
    const serial = createSerial();
    const order: string[] = [];
    const task = (name: string, ms: number, fail = false) =>
      serial(async () => {
        order.push(`start ${name}`);
        await Bun.sleep(ms);
        order.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task("a", 20), task("b", 1, true), task("c", 1)]);
    expect(order).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
});

describe("publishDeliveries with a shared serial", () => {
  test("another pipeline's send waits until this batch's delivery is recorded", async () => {
    const serial = createSerial();
    const timeline: string[] = [];
    const sink = {
      send: async (topic: string, records: readonly KafkaRecord[]) => {
        timeline.push(`send ${topic}:${records.map((record) => record.key).join(",")}`);
        await Bun.sleep(1);
        return records.map(() => ({ ok: true as const }));
      },
    };
    const publish = (topic: string, key: string) =>
      publishDeliveries({
        sink,
        topic,
        deliveries: [delivery(key)],
        maxBatchBytes: 1000,
        exclusive: serial,
        onAcked: async () => {
          await Bun.sleep(10);
          timeline.push(`recorded ${topic}:${key}`);
        },
      });
    await Promise.all([publish("logs", "a"), publish("messages", "b")]);
    expect(timeline).toEqual(["send logs:a", "recorded logs:a", "send messages:b", "recorded messages:b"]);
  });
});
