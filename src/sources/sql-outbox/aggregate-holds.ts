/**
 * The SQL outbox source's own order rule within one instance, as bookkeeping: which aggregates
 * have an earlier event of this instance out, not yet settled delivered or given up, as each
 * claim sees them. Claims are numbered as they begin, because a claim begun before an event was
 * written back as pending may hold its aggregate's later rows without it (the event was claimed
 * by this instance, or locked by the write), while a claim begun after finds it first itself.
 */

/** A claim as the holds see it. */
export interface ClaimTicket {
  /** Claims are numbered as they begin. */
  readonly number: number;
  readonly startedAt: number;
}

export interface AggregateHolds {
  /** Numbers a claim that begins now. */
  begin(startedAt: number): ClaimTicket;
  /** An event handed over or held back, by id: its aggregate, and when its claim lapses by our clock. */
  opened(id: string, key: string, until: number): void;
  /** Delivered or given up: nothing of its aggregate waits for it any more. */
  settled(ids: readonly string[]): void;
  /** Written back as pending: claims begun from now on order it first themselves. */
  pendingAgain(ids: readonly string[]): void;
  /**
   * The aggregates held for a claim's rows. A row claimed again comes in the batch ahead of its
   * aggregate's later rows and holds nothing. An event holds nothing for a claim begun after it was
   * pending again, or more than a lease after its claim lapsed (the database's clock may run
   * behind ours): that claim, and every later one, orders it first or finds it claimed by another.
   */
  heldFor(claim: ClaimTicket, claimedIds: readonly string[]): Set<string>;
}

export function createAggregateHolds(leaseMs: number): AggregateHolds {
  const open = new Map<string, { key: string; until: number; pendingBefore?: number }>();
  let claims = 0;
  const settled = (ids: readonly string[]) => {
    for (const id of ids) open.delete(id);
  };
  return {
    begin: (startedAt) => ({ number: ++claims, startedAt }),
    opened(id, key, until) {
      open.set(id, { key, until });
    },
    settled,
    pendingAgain(ids) {
      for (const id of ids) {
        const event = open.get(id);
        if (event) event.pendingBefore = claims;
      }
    },
    heldFor(claim, claimedIds) {
      settled(claimedIds);
      const keys = new Set<string>();
      for (const [id, event] of open) {
        const pending = event.pendingBefore !== undefined && claim.number > event.pendingBefore;
        if (pending || claim.startedAt > event.until + leaseMs) open.delete(id);
        else keys.add(event.key);
      }
      return keys;
    },
  };
}
