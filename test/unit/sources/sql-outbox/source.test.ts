/**
 * The SQL outbox source's own order rule, on a scripted store: a claim may take later rows of an
 * aggregate whose earlier row is in this instance's own claim, so the source must not hand such a
 * row over while the earlier one is neither delivered nor given up; and a full batch starts the
 * next claim at once, whose rows go back when the source closes.
 */
import { describe, expect, test } from "bun:test";
import { createPoller } from "../../../../src/engine/polling.ts";
import type { SourceEvent } from "../../../../src/engine/ports.ts";
import { silentLogger } from "../../../../src/observability/logger.ts";
import { createSqlOutboxSource } from "../../../../src/sources/sql-outbox/source.ts";
import type { ClaimedRow, OutboxStore } from "../../../../src/sources/sql-outbox/store.ts";

let seq = 0;
const row = (id: string, aggregateid: string): ClaimedRow => ({
  id,
  aggregatetype: "order",
  aggregateid,
  type: "Placed",
  payload: "{}",
  headers: null,
  tracingspancontext: null,
  seq: ++seq,
  attempts: 0,
  createdAt: 0,
});

function scripted(claims: ClaimedRow[][]) {
  const released: string[][] = [];
  const retried: string[][] = [];
  let pendingRetry: (() => void) | undefined;
  const store: OutboxStore = {
    claim: async () => claims.shift() ?? [],
    delivered: async () => {},
    rejected: async () => {},
    retried: (rows) => {
      retried.push(rows.map((r) => r.id));
      // The write stays in flight until the test lets it finish.
      return new Promise<void>((resolve) => {
        pendingRetry = resolve;
      });
    },
    released: async (ids) => void released.push([...ids]),
    redelivered: async () => 0,
    deleteProcessed: async () => 0,
    backlog: async () => [],
    ping: async () => {},
    watch: async () => async () => {},
    close: async () => {},
  };
  return { store, released, retried, finishRetry: () => pendingRetry?.() };
}

function sourceOn(store: OutboxStore, clock: { now: number }, batchSize = 10) {
  return createSqlOutboxSource({
    store,
    owner: "me",
    batchSize,
    leaseMs: 30_000,
    poller: createPoller({ intervalMs: 1000 }),
    retryBackoffMs: [0],
    log: silentLogger,
    now: () => clock.now,
  });
}

const NEVER = new AbortController().signal;
const ids = (events: readonly SourceEvent[]) => events.map((event) => event.id);
const all = async (source: ReturnType<typeof sourceOn>) => {
  const batch = await source.take(NEVER);
  return { batch, events: [...batch.slices(100)].flat() };
};

describe("the SQL outbox source's order within one instance", () => {
  test("hands a later row over once the earlier row of its aggregate was delivered", async () => {
    const { store, released } = scripted([[row("x1", "x")], [row("x2", "x")]]);
    const source = sourceOn(store, { now: 0 });
    const first = await all(source);
    await first.batch.settle({ delivered: first.events });
    expect(ids((await all(source)).events)).toEqual(["x2"]);
    expect(released).toEqual([]);
  });

  test("holds a later row back while the earlier one's retry is still being written, and lets it go after", async () => {
    const { store, released, finishRetry } = scripted([[row("x1", "x"), row("y1", "y")], [row("x2", "x"), row("y2", "y")], [row("x2", "x")]]);
    const source = sourceOn(store, { now: 0 });
    const first = await all(source);
    const [x1, y1] = first.events as [SourceEvent, SourceEvent];
    const settling = first.batch.settle({ retried: [{ event: x1, reason: "refused" }], delivered: [y1] });
    const second = await all(source);
    expect(ids(second.events)).toEqual(["y2"]);
    expect(released).toEqual([["x2"]]);
    finishRetry();
    await settling;
    await second.batch.settle({ delivered: second.events });
    // Once the retry is written, the database itself holds x2 back until x1 is due; claimed, it goes.
    expect(ids((await all(source)).events)).toEqual(["x2"]);
  });

  test("holds a later row back behind an earlier one a failed cycle left unsettled, until a lease after that claim lapsed", async () => {
    const clock = { now: 0 };
    const { store, released } = scripted([[row("x1", "x")], [row("x2", "x")], [row("x2", "x")], [row("x2", "x")]]);
    const source = sourceOn(store, clock);
    await all(source);
    expect(ids((await all(source)).events)).toEqual([]);
    // x1's claim lapsed, by our clock: the database's may be behind, and x1 not yet claimable.
    clock.now = 30_001;
    expect(ids((await all(source)).events)).toEqual([]);
    expect(released).toEqual([["x2"], ["x2"]]);
    clock.now = 60_001;
    expect(ids((await all(source)).events)).toEqual(["x2"]);
  });

  test("holds a later row claimed ahead behind an earlier one released after that claim began, not behind it in a claim begun after", async () => {
    const { store, released } = scripted([
      [row("x1", "x"), row("y1", "y")],
      [row("x2", "x"), row("z1", "z")],
      [row("x1", "x"), row("x2", "x")],
    ]);
    const source = sourceOn(store, { now: 0 }, 2);
    const first = await all(source);
    const [x1, y1] = first.events as [SourceEvent, SourceEvent];
    // The second claim began when the first batch came back full, before x1 was pending again.
    await first.batch.settle({ released: [x1], delivered: [y1] });
    const second = await all(source);
    expect(ids(second.events)).toEqual(["z1"]);
    expect(released).toEqual([["x1"], ["x2"]]);
    await second.batch.settle({ delivered: second.events });
    expect(ids((await all(source)).events)).toEqual(["x1", "x2"]);
  });

  test("claims ahead only once the rows it held back are pending again, so that the next claim orders them first", async () => {
    const steps: string[] = [];
    const { store, released } = scripted([
      [row("x1", "x"), row("y1", "y")],
      [row("x2", "x"), row("z1", "z")],
      [row("x1", "x"), row("x2", "x")],
    ]);
    const logged: OutboxStore = {
      ...store,
      claim: (...args) => {
        steps.push("claim");
        return store.claim(...args);
      },
      released: async (ids, owner) => {
        await Bun.sleep(5);
        await store.released(ids, owner);
        steps.push(`released ${ids.join(" ")}`);
      },
    };
    const source = sourceOn(logged, { now: 0 }, 2);
    const first = await all(source);
    const [x1, y1] = first.events as [SourceEvent, SourceEvent];
    await first.batch.settle({ released: [x1], delivered: [y1] });
    expect(ids((await all(source)).events)).toEqual(["z1"]);
    expect(steps).toEqual(["claim", "claim", "released x1", "released x2", "claim"]);
    expect(released).toEqual([["x1"], ["x2"]]);
    expect(ids((await all(source)).events)).toEqual(["x1", "x2"]);
  });

  test("hands over nothing of a batch claimed ahead whose claim lapsed before it was taken (the sink was away)", async () => {
    const clock = { now: 0 };
    const { store, released } = scripted([
      [row("a1", "a"), row("b1", "b")],
      [row("a2", "a"), row("c1", "c")],
    ]);
    const source = sourceOn(store, clock, 2);
    const first = await all(source);
    await first.batch.settle({ delivered: first.events });
    clock.now = 40_000;
    expect(ids((await all(source)).events)).toEqual([]);
    expect(released).toEqual([["a2", "c1"]]);
  });

  test("starts the next claim as soon as a batch comes back full, and gives its rows back on close", async () => {
    let claims = 0;
    const { store, released } = scripted([]);
    const full = [row("a", "a"), row("b", "b")];
    const source = createSqlOutboxSource({
      store: { ...store, claim: async () => (claims++ === 0 ? full : [row("c", "c")]) },
      owner: "me",
      batchSize: 2,
      leaseMs: 30_000,
      poller: createPoller({ intervalMs: 1000 }),
      retryBackoffMs: [0],
      log: silentLogger,
    });
    await all(source);
    expect(claims).toBe(2);
    await source.close();
    expect(released).toEqual([["c"]]);
  });
});
