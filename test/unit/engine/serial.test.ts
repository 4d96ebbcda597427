import { describe, expect, test } from "bun:test";
import { deliverAll } from "../../../src/engine/deliver.ts";
import type { Sink } from "../../../src/engine/ports.ts";
import { createSerial } from "../../../src/engine/serial.ts";
import type { KafkaMessage } from "../../../src/sinks/kafka/message.ts";
import { encoded, event } from "./fakes.ts";

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

describe("deliverAll with a shared serial", () => {
  test("another pipeline's delivery waits until this delivery is recorded", async () => {
    const serial = createSerial();
    const timeline: string[] = [];
    const sink: Sink<KafkaMessage> = {
      limits: { maxEvents: Number.POSITIVE_INFINITY, maxBytes: 1000, maxBytesSetting: "HOBOM_KAFKA_MAX_MESSAGE_BYTES" },
      idempotent: true,
      deliver: async (messages) => {
        timeline.push(`send ${messages.map((message) => `${message.topic}:${message.key}`).join(",")}`);
        await Bun.sleep(1);
        return messages.map(() => ({ ok: true as const }));
      },
      close: async () => {},
    };
    const deliver = (topic: string, key: string) =>
      deliverAll({
        sink,
        messages: [{ ...encoded(event(key), topic), bytes: 10 }],
        signal: new AbortController().signal,
        exclusive: serial,
        onAcked: async () => {
          await Bun.sleep(10);
          timeline.push(`recorded ${topic}:${key}`);
        },
      });
    await Promise.all([deliver("logs", "a"), deliver("messages", "b")]);
    expect(timeline).toEqual(["send logs:a", "recorded logs:a", "send messages:b", "recorded messages:b"]);
  });
});
