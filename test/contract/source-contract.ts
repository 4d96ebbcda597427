/**
 * The contract every source passes, adapters and fakes alike (in the manner of Watermill's
 * TestPubSub): events come in the order they were written; what a settle says happened is what
 * the source does (delivered and rejected events never come again, released and retried ones do,
 * unsettled ones come again after a restart); asking when it is ready stops with the signal; an
 * unreachable source fails with the engine's DependencyError; close is idempotent. A new source
 * kind adds one call of `sourceContract` with a harness over its real backend.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { DependencyError } from "../../src/engine/errors.ts";
import type { Source, SourceBatch, SourceEvent } from "../../src/engine/ports.ts";

/** A source under test and the backend it reads, as the suite drives them. */
export interface SourceHarness {
  /** A new source on the same backend (the first, or one after a "restart"). */
  source(): Source;
  /** Writes `count` new events at the backend, in order; resolves with their ids. */
  write(count: number): Promise<string[]>;
  /** What the backend says of an event now. */
  stateOf(id: string): Promise<"waiting" | "delivered" | "rejected">;
  /** A source whose backend cannot be reached. */
  unreachable(): Source;
  /** Lets go of the backend. */
  close(): Promise<void>;
}

export interface SourceFeatures {
  /** The source polls: after a take, `ready` waits for its interval (the harness makes it a second or more). */
  readonly polls: boolean;
}

const NEVER = new AbortController().signal;

/** Every event the source hands over now, in order, with the batch they came in. */
async function takeAll(source: Source): Promise<{ batch: SourceBatch; events: SourceEvent[] }> {
  const batch = await source.take(NEVER);
  return { batch, events: [...batch.slices(7)].flat() };
}

/** Takes until the events `ids` (and perhaps others written before) have all come, at most `tries` times. */
async function takeUntil(source: Source, ids: readonly string[], tries = 20): Promise<{ batch: SourceBatch; events: SourceEvent[] }> {
  for (let attempt = 1; ; attempt++) {
    const taken = await takeAll(source);
    if (ids.every((id) => taken.events.some((event) => event.id === id)) || attempt >= tries) return taken;
    await taken.batch.settle({ released: taken.events });
    await Bun.sleep(50);
  }
}

export function sourceContract(name: string, features: SourceFeatures, makeHarness: () => Promise<SourceHarness>): void {
  describe(`${name} passes the source contract`, () => {
    let harness: SourceHarness;
    const ready = makeHarness().then((made) => (harness = made));
    afterAll(async () => {
      await ready;
      await harness.close();
    });

    test("hands events over in the order they were written, each with its id, type and record", async () => {
      await ready;
      const source = harness.source();
      const ids = await harness.write(12);
      const { batch, events } = await takeUntil(source, ids);
      const ours = events.filter((event) => ids.includes(event.id));
      expect(ours.map((event) => event.id)).toEqual(ids);
      expect(batch.count).toBeGreaterThanOrEqual(ids.length);
      for (const event of ours) {
        expect(event.type).not.toBe("");
        expect(typeof event.record).toBe("object");
      }
      await batch.settle({ delivered: events });
      await source.close();
    });

    test("does not hand over again what was settled delivered or rejected, and records which", async () => {
      await ready;
      const source = harness.source();
      const ids = await harness.write(4);
      const { batch, events } = await takeUntil(source, ids);
      const [first, second, ...rest] = events.filter((event) => ids.includes(event.id)) as SourceEvent[];
      const report = await batch.settle({ delivered: [first as SourceEvent], rejected: [{ event: second as SourceEvent, reason: "contract: at fault" }] });
      expect(report.failed).toEqual([]);
      await batch.settle({ delivered: rest });
      expect(await harness.stateOf(first?.id ?? "")).toBe("delivered");
      expect(await harness.stateOf(second?.id ?? "")).toBe("rejected");
      const again = await takeAll(source);
      expect(again.events.map((event) => event.id).filter((id) => ids.includes(id))).toEqual([]);
      await again.batch.settle({ released: again.events });
      await source.close();
    });

    test("hands over again what was released or retried, and after a restart what was never settled", async () => {
      await ready;
      const first = harness.source();
      const ids = await harness.write(3);
      const taken = await takeUntil(first, ids);
      const [released, retried] = taken.events.filter((event) => ids.includes(event.id)) as SourceEvent[];
      await taken.batch.settle({ released: [released as SourceEvent], retried: [{ event: retried as SourceEvent, reason: "contract: try later" }] });
      // The third is never settled: this source instance "dies" here.
      await first.close();
      const second = harness.source();
      const again = await takeUntil(second, ids);
      expect(again.events.map((event) => event.id).filter((id) => ids.includes(id))).toEqual(ids);
      for (const id of ids) expect(await harness.stateOf(id)).toBe("waiting");
      await again.batch.settle({ delivered: again.events });
      await second.close();
    });

    test("waits for its next batch until it is due, and stops waiting when the signal aborts", async () => {
      await ready;
      const source = harness.source();
      // A first take starts a polling source's interval (the harness's is a second or more).
      const { batch, events } = await takeAll(source);
      await batch.settle({ delivered: events });
      const stop = new AbortController();
      let resolved = false;
      const waiting = source.ready(stop.signal).then(() => {
        resolved = true;
      });
      await Bun.sleep(100);
      if (features.polls) expect(resolved).toBe(false);
      const started = performance.now();
      stop.abort();
      await waiting;
      expect(performance.now() - started).toBeLessThan(1_000);
      await source.close();
    });

    test("fails a take with the engine's DependencyError when its backend cannot be reached", async () => {
      await ready;
      const source = harness.unreachable();
      const error = await source.take(NEVER).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DependencyError);
      expect((error as DependencyError).retriable).toBe(true);
      await source.close();
    });

    test("settles as delivered an event it had given up, once a DLQ replay delivered it", async () => {
      await ready;
      const source = harness.source();
      const ids = await harness.write(1);
      const { batch, events } = await takeUntil(source, ids);
      const mine = events.find((event) => event.id === ids[0]) as SourceEvent;
      await batch.settle({ rejected: [{ event: mine, reason: "contract: given up" }] });
      await batch.settle({ delivered: events.filter((event) => event !== mine) });
      expect(await source.redelivered([mine.id])).toBe("done");
      expect(await harness.stateOf(mine.id)).toBe("delivered");
      await source.close();
    });

    test("closes twice without complaint", async () => {
      await ready;
      const source = harness.source();
      await source.close();
      await source.close();
    });
  });
}
