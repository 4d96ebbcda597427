/**
 * The contract every sink passes, adapters and fakes alike: it says its limits and whether it is
 * idempotent; it answers one outcome per message, in order, and what it acknowledged reached the
 * destination once; a message it refuses is refused alone (the others are acknowledged or refused
 * with `split`, never silently lost); messages of one key arrive in their order; a sink that cannot
 * be reached says so in the engine's kinds; close is idempotent. A new sink kind adds one call of
 * `sinkContract` with a harness over its real destination.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { DestinationError, SinkUnavailableError } from "../../src/engine/errors.ts";
import type { DeliveryOutcome, Sink } from "../../src/engine/ports.ts";

export interface SinkHarness<M> {
  /** A sink on the harness's destination. */
  sink(): Sink<M>;
  /** A new message the sink takes, under ordering key `key` when given. */
  message(key?: string): M;
  /** What identifies a message at the destination. */
  idOf(message: M): string;
  /** The ids that reached the destination so far, in the order they arrived (per key). */
  delivered(): Promise<string[]>;
  /** A message the sink refuses for its own fault (too large, …); asked for right before it is delivered. */
  refused(): M;
  /** A sink whose destination cannot be reached at all. */
  unreachable(): Sink<M>;
  /** A message bound for a destination that does not exist, when the kind has destinations. */
  missingDestination?(): M;
  close(): Promise<void>;
}

export interface SinkFeatures {
  /** How a sink that cannot be reached fails: thrown SinkUnavailableError (its breaker opens), or every message refused (the DLQ takes them). */
  readonly unreachable: "throws" | "refuses";
  /** Its messages name a destination (a topic) that may not exist: the harness has `missingDestination`. */
  readonly destinations: boolean;
}

const NEVER = new AbortController().signal;

export function sinkContract<M>(name: string, features: SinkFeatures, makeHarness: () => Promise<SinkHarness<M>>): void {
  describe(`${name} passes the sink contract`, () => {
    let harness: SinkHarness<M>;
    const ready = makeHarness().then((made) => (harness = made));
    const sinks: Sink<M>[] = [];
    const sinkOf = () => {
      const sink = harness.sink();
      sinks.push(sink);
      return sink;
    };
    afterAll(async () => {
      await ready;
      await Promise.all(sinks.map((sink) => sink.close()));
      await harness.close();
    });

    test("says how much one delivery may carry and whether a second delivery does harm", async () => {
      await ready;
      const { limits, idempotent } = sinkOf();
      expect(limits.maxEvents).toBeGreaterThanOrEqual(1);
      expect(limits.maxBytes).toBeGreaterThan(0);
      expect(limits.maxBytesSetting).not.toBe("");
      expect(typeof idempotent).toBe("boolean");
    });

    test("answers one outcome per message, in order, and what it acknowledged reached the destination once", async () => {
      await ready;
      const sink = sinkOf();
      const count = Math.min(6, sink.limits.maxEvents);
      const messages = Array.from({ length: count }, () => harness.message());
      const outcomes = await sink.deliver(messages, NEVER);
      expect(outcomes).toEqual(messages.map(() => ({ ok: true })));
      const arrived = await harness.delivered();
      for (const message of messages) expect(arrived.filter((id) => id === harness.idOf(message))).toHaveLength(1);
      expect(await sink.deliver([], NEVER)).toEqual([]);
    });

    test("refuses a message at fault alone: the others are acknowledged, or refused with it to be split, never lost", async () => {
      await ready;
      const sink = sinkOf();
      const good = Array.from({ length: 3 }, () => harness.message());
      const outcomes: DeliveryOutcome[] = [];
      let bad: M;
      if (sink.limits.maxEvents > good.length) {
        // One delivery with the message at fault among the good ones.
        bad = harness.refused();
        outcomes.push(...(await sink.deliver([...good, bad], NEVER)));
      } else {
        // A sink of one event at a time is given them one by one, as the engine does.
        for (const message of good) outcomes.push(...(await sink.deliver([message], NEVER)));
        bad = harness.refused();
        outcomes.push(...(await sink.deliver([bad], NEVER)));
      }
      const badOutcome = outcomes.at(-1);
      expect(badOutcome?.ok).toBe(false);
      expect(badOutcome && !badOutcome.ok && badOutcome.kind).toBe("rejected");
      const arrived = await harness.delivered();
      good.forEach((message, index) => {
        const outcome = outcomes[index];
        if (outcome?.ok) expect(arrived).toContain(harness.idOf(message));
        else expect(outcome).toMatchObject({ ok: false, kind: "rejected", split: true });
      });
      expect(arrived).not.toContain(harness.idOf(bad));
    });

    test("delivers the messages of one key in their order", async () => {
      await ready;
      const sink = sinkOf();
      const key = `contract-${crypto.randomUUID()}`;
      const messages = Array.from({ length: 5 }, () => harness.message(key));
      for (let start = 0; start < messages.length; start += sink.limits.maxEvents) {
        const outcomes = await sink.deliver(messages.slice(start, start + sink.limits.maxEvents), NEVER);
        expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
      }
      const ids = messages.map((message) => harness.idOf(message));
      expect((await harness.delivered()).filter((id) => ids.includes(id))).toEqual(ids);
    });

    test(`when it cannot be reached, ${features.unreachable === "throws" ? "throws SinkUnavailableError, for its breaker" : "refuses every message, for the DLQ"}`, async () => {
      await ready;
      const sink = harness.unreachable();
      sinks.push(sink);
      const attempt = sink.deliver([harness.message()], NEVER);
      if (features.unreachable === "throws") {
        expect(
          await attempt.then(
            () => undefined,
            (error: unknown) => error,
          ),
        ).toBeInstanceOf(SinkUnavailableError);
      } else {
        expect(await attempt).toEqual([expect.objectContaining({ ok: false, kind: "rejected" })]);
      }
    }, 30_000);

    if (features.destinations) {
      test("says a destination that does not exist is that destination's (DestinationError), not the sink's", async () => {
        await ready;
        const missing = harness.missingDestination?.();
        if (missing === undefined) throw new Error("a harness of a sink with destinations gives missingDestination");
        const error = await sinkOf()
          .deliver([missing], NEVER)
          .then(
            () => undefined,
            (caught: unknown) => caught,
          );
        expect(error).toBeInstanceOf(DestinationError);
      });
    }

    test("closes twice without complaint", async () => {
      await ready;
      const sink = harness.sink();
      await sink.close();
      await sink.close();
    });
  });
}
