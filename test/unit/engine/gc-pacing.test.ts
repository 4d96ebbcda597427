import { describe, expect, test } from "bun:test";
import { BackendCallError } from "../../../src/errors.ts";
import { createGcPacer, pacedSource } from "../../../src/relay/gc-pacing.ts";
import { messagePayload, outboxRow } from "../pipelines/payloads.ts";
import { FakeOutbox } from "./fakes.ts";

function counting(everyRows: number) {
  const collections: number[] = [];
  let handled = 0;
  const inner = createGcPacer({ everyRows, collect: () => collections.push(handled) });
  return {
    collections,
    pacer: {
      handled(rows: number) {
        handled += rows;
        inner.handled(rows);
      },
    },
  };
}

describe("createGcPacer", () => {
  test("collects each time everyRows more rows have been handled", () => {
    const { pacer, collections } = counting(1_000);
    for (let index = 0; index < 25; index++) pacer.handled(100);
    pacer.handled(2_500);
    expect(collections).toEqual([1_000, 2_000, 5_000]);
  });

  test("never collects with everyRows 0, nor before a row was handled", () => {
    const off = counting(0);
    off.pacer.handled(1_000_000);
    expect(off.collections).toEqual([]);
    const idle = counting(1_000);
    idle.pacer.handled(0);
    expect(idle.collections).toEqual([]);
  });
});

describe("pacedSource", () => {
  const rows = (count: number) => Array.from({ length: count }, (_, index) => outboxRow(`e${index}`, "MESSAGE", messagePayload()));

  test("counts no Find and no decoding: marks pace the cycle", async () => {
    const { pacer, collections } = counting(1);
    const outbox = new FakeOutbox().add(...rows(25));
    const pending = await pacedSource(outbox, pacer).findPending("MESSAGE");
    expect(pending.decode(0, 25).map((row) => row.eventId)).toEqual(rows(25).map((row) => row.eventId));
    expect(collections).toEqual([]);
  });

  test("counts every mark, SENT or FAILED, answered or refused", async () => {
    const { pacer, collections } = counting(3);
    const outbox = new FakeOutbox().add(...rows(3));
    outbox.markSentErrors.set("e1", { error: new BackendCallError("for-hobom-backend", "PatchOutboxMarkAsSentUseCase", "UNAVAILABLE", "", { retriable: true }) });
    const source = pacedSource(outbox, pacer);
    await source.markSent("e0");
    await expect(source.markSent("e1")).rejects.toBeInstanceOf(BackendCallError);
    expect(collections).toEqual([]);
    await source.markFailed("e2", "no payload");
    expect(collections).toEqual([3]);
    expect(outbox.statusOf("e2")).toBe("FAILED");
  });
});
