/**
 * Delivers a slice's messages in as few deliveries as the sink's limits allow, one delivery at a
 * time, and hands the acknowledged part of each to `onAcked` before the next, so that the window
 * between an acknowledgement and its delivery record is one delivery. Each message is judged on its
 * own: what the sink acknowledged is delivered; what it refused for the messages' own fault is split
 * until the one at fault stands alone; what failed for now waits for the next cycle.
 */
import { PermanentEventError } from "./errors.ts";
import type { DeliveryOutcome, Encoded, Sink, SinkLimits, SourceEvent } from "./ports.ts";
import type { Serial } from "./serial.ts";

/** A message the sink refused for good, and the events it carried. */
export interface Refused<M> {
  readonly encoded: Encoded<M>;
  readonly error: PermanentEventError;
}

/** Messages that failed for now, and whose failure it is (see DeliveryOutcome). */
export interface Unsent<M> {
  readonly encoded: Encoded<M>;
  readonly kind: "retry" | "deferred";
  readonly error: Error;
}

export interface DeliveryResult<M> {
  readonly refused: Refused<M>[];
  readonly unsent: Unsent<M>[];
  /** Why delivering stopped early, if it did. */
  readonly stoppedBy?: unknown;
  /** The messages not tried because delivering stopped. */
  readonly untried: readonly Encoded<M>[];
}

export async function deliverAll<M>(params: {
  sink: Sink<M>;
  messages: readonly Encoded<M>[];
  signal: AbortSignal;
  /**
   * Ordering keys whose events must wait: a message carrying one is not delivered (it is unsent,
   * deferred), and a key whose message did not go is added, so that no later event of a key
   * overtakes an earlier one that waits.
   */
  held?: Set<string>;
  /** Runs before every delivery; throwing stops delivering (the ownership check). */
  beforeDelivery?: () => Promise<void>;
  /** Receives the acknowledged messages of each delivery, before the next delivery. */
  onAcked: (acked: readonly Encoded<M>[]) => Promise<void>;
  /**
   * Runs each delivery together with its `onAcked`, exclusively: shared by every pipeline of a
   * process, it keeps the deliveries acknowledged but not yet recorded to one in the whole process.
   */
  exclusive?: Serial;
}): Promise<DeliveryResult<M>> {
  const refused: Refused<M>[] = [];
  const unsent: Unsent<M>[] = [];
  // Messages acknowledged so far: when delivering stops, they are not among the untried.
  const acknowledged = new Set<Encoded<M>>();
  const held = params.held ?? new Set<string>();
  const exclusive: Serial = params.exclusive ?? ((task) => task());
  const keysOf = (encoded: Encoded<M>) => encoded.events.flatMap((event) => (event.orderingKey === undefined ? [] : [event.orderingKey]));
  const hold = (item: Unsent<M>) => {
    unsent.push(item);
    for (const key of keysOf(item.encoded)) held.add(key);
  };

  const deliverOnce = async (group: readonly Encoded<M>[]): Promise<void> => {
    let outcomes: readonly DeliveryOutcome[] = [];
    let recording = false;
    try {
      await exclusive(async () => {
        outcomes = await params.sink.deliver(
          group.map((encoded) => encoded.message),
          params.signal,
        );
        recording = true;
        const acked = group.filter((_, index) => outcomes[index]?.ok);
        for (const encoded of acked) acknowledged.add(encoded);
        if (acked.length > 0) await params.onAcked(acked);
      });
    } catch (error) {
      // The sink acknowledged and only the record failed: nothing to split or dead-letter.
      if (recording || !(error instanceof PermanentEventError)) throw error;
      // One refusal for the whole delivery: every message came back with it.
      outcomes = group.map(() => ({ ok: false, kind: "rejected", error, split: true }));
    }
    // Messages refused with the request they were part of: which one is at fault is not known yet.
    const atFault: Refused<M>[] = [];
    group.forEach((encoded, index) => {
      const outcome = outcomes[index];
      if (!outcome || outcome.ok) return;
      if (outcome.kind !== "rejected") hold({ encoded, kind: outcome.kind, error: outcome.error });
      else if (outcome.split) atFault.push({ encoded, error: asPermanent(outcome.error) });
      else refused.push({ encoded, error: asPermanent(outcome.error) });
    });
    if (atFault.length === 1) refused.push(...atFault);
    else if (atFault.length > 1) {
      // Split to find the messages the sink refuses; the others are still delivered.
      const half = Math.ceil(atFault.length / 2);
      await deliverOnce(atFault.slice(0, half).map((item) => item.encoded));
      await deliverOnce(atFault.slice(half).map((item) => item.encoded));
    }
  };

  const groups = groupsWithin(params.messages, params.sink.limits);
  for (const [index, group] of groups.entries()) {
    // What this delivery and the later ones did not settle one way or another.
    const judged = () => new Set([...acknowledged, ...refused.map((item) => item.encoded), ...unsent.map((item) => item.encoded)]);
    const untried = () => {
      const done = judged();
      return groups
        .slice(index)
        .flat()
        .filter((encoded) => !done.has(encoded));
    };
    if (params.signal.aborted) return { refused, unsent, stoppedBy: params.signal.reason, untried: untried() };
    const ready = group.filter((encoded) => !keysOf(encoded).some((key) => held.has(key)));
    for (const encoded of group) {
      if (!ready.includes(encoded)) unsent.push({ encoded, kind: "deferred", error: new Error("held back behind an earlier event of its ordering key") });
    }
    if (ready.length === 0) continue;
    try {
      await params.beforeDelivery?.();
      await deliverOnce(ready);
    } catch (error) {
      return { refused, unsent, stoppedBy: error, untried: untried() };
    }
  }
  return { refused, unsent, untried: [] };
}

/**
 * Consecutive runs of messages within the sink's limits: at most `maxEvents` messages whose bytes,
 * framing included, add up to at most `maxBytes` (at least one message each).
 */
export function groupsWithin<M>(messages: readonly Encoded<M>[], limits: SinkLimits<M>): Encoded<M>[][] {
  const framing = limits.framing ?? { perDelivery: 0, perMessage: () => 0 };
  const groups: Encoded<M>[][] = [];
  let current: Encoded<M>[] = [];
  let bytes = framing.perDelivery;
  for (const encoded of messages) {
    const framed = encoded.bytes + framing.perMessage(encoded.message);
    if (current.length > 0 && (bytes + framed > limits.maxBytes || current.length >= limits.maxEvents)) {
      groups.push(current);
      current = [];
      bytes = framing.perDelivery;
    }
    current.push(encoded);
    bytes += framed;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The events a list of messages carries, in order. */
export function eventsOf<M>(messages: readonly Encoded<M>[]): SourceEvent[] {
  return messages.flatMap((encoded) => encoded.events);
}

function asPermanent(error: Error): PermanentEventError {
  return error instanceof PermanentEventError ? error : new PermanentEventError(error.message, { cause: error });
}
