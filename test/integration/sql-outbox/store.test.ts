/**
 * The outbox store on both dialects, against a real PostgreSQL and real SQLite files: claims in
 * the order rows were written, one aggregate's rows never split between owners nor overtaken by
 * later ones, leases that lapse, marks that change nothing once another owner took the rows over,
 * retention, backlog, commit notifications, and what an unmigrated table or a lost server says.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DependencyError } from "../../../src/engine/errors.ts";
import { createPostgresStore } from "../../../src/sources/sql-outbox/postgres.ts";
import { tableNames } from "../../../src/sources/sql-outbox/postgres-schema.ts";
import { createSqliteStore } from "../../../src/sources/sql-outbox/sqlite.ts";
import type { OutboxStore } from "../../../src/sources/sql-outbox/store.ts";
import { OUTBOX_DIALECTS, type TestOutbox } from "../../support/sql-outbox.ts";

describe.each(OUTBOX_DIALECTS)("the %s outbox store", (_dialect, make) => {
  let outbox: TestOutbox;
  let store: OutboxStore;
  let other: OutboxStore;
  beforeAll(async () => {
    outbox = await make();
    store = outbox.store();
    other = outbox.store();
  });
  afterAll(async () => {
    await Promise.all([store.close(), other.close()]);
    await outbox.drop();
  });
  // Each test starts from an empty table.
  const fresh = () => outbox.exec(`DELETE FROM ${outbox.table}`);

  test("claims pending rows in the order they were written, each once until released", async () => {
    await fresh();
    const ids = await outbox.insert(Array.from({ length: 5 }, (_, n) => ({ aggregateid: `a-${n % 2}` })));
    const claimed = await store.claim(10, "one", 30_000);
    expect(claimed.map((row) => row.id)).toEqual(ids);
    expect(claimed[0]).toMatchObject({ aggregatetype: "order", aggregateid: "a-0", type: "OrderPlaced", attempts: 0 });
    expect(JSON.parse(claimed[0]?.payload ?? "null")).toEqual({ n: 0 });
    expect(Math.abs((claimed[0]?.createdAt ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(await other.claim(10, "two", 30_000)).toEqual([]);
    await store.released(ids, "one");
    expect((await other.claim(10, "two", 30_000)).map((row) => row.id)).toEqual(ids);
    expect((await outbox.state(ids[3] as string))?.claimedBy).toBe("two");
  });

  test("never hands an aggregate's later rows to one owner while an earlier one is in another's claim", async () => {
    await fresh();
    const [x1, x2, y1, x3] = (await outbox.insert([{ aggregateid: "x" }, { aggregateid: "x" }, { aggregateid: "y" }, { aggregateid: "x" }])) as [
      string,
      string,
      string,
      string,
    ];
    expect((await store.claim(2, "one", 30_000)).map((row) => row.id)).toEqual([x1, x2]);
    // x3 waits behind x1 and x2, claimed by one; y1 is free.
    expect((await other.claim(10, "two", 30_000)).map((row) => row.id)).toEqual([y1]);
    await store.delivered([x1, x2], "one");
    expect((await other.claim(10, "two", 30_000)).map((row) => row.id)).toEqual([x3]);
  });

  test("lets an owner claim later rows of an aggregate whose earlier row is in its own claim (it delivers its batches in turn)", async () => {
    await fresh();
    const [x1, x2] = (await outbox.insert([{ aggregateid: "x" }, { aggregateid: "x" }])) as [string, string];
    expect((await store.claim(1, "one", 30_000)).map((row) => row.id)).toEqual([x1]);
    expect(await other.claim(10, "two", 30_000)).toEqual([]);
    expect((await store.claim(10, "one", 30_000)).map((row) => row.id)).toEqual([x2]);
  });

  test("holds an aggregate back while its earliest row waits for a retry; the others go on", async () => {
    await fresh();
    const [x1, x2, y1] = (await outbox.insert([{ aggregateid: "x" }, { aggregateid: "x" }, { aggregateid: "y" }])) as [string, string, string];
    const claimed = await store.claim(10, "one", 30_000);
    expect(claimed.map((row) => row.id)).toEqual([x1, x2, y1]);
    await store.retried([{ id: x1, reason: "broker refused it", availableAt: Date.now() + 1_500 }], "one");
    await store.released([x2, y1], "one");
    expect((await store.claim(10, "one", 30_000)).map((row) => row.id)).toEqual([y1]);
    expect(await outbox.state(x1)).toMatchObject({ state: "pending", attempts: 1, lastError: "broker refused it", claimedBy: null });
    await Bun.sleep(1_600);
    const again = await store.claim(10, "one", 30_000);
    expect(again.map((row) => row.id)).toEqual([x1, x2]);
    expect(again[0]?.attempts).toBe(1);
  });

  test("hands a lapsed claim to another owner, and the first owner's late marks change nothing", async () => {
    await fresh();
    const ids = await outbox.insert([{}, {}]);
    await store.claim(10, "one", 200);
    await Bun.sleep(300);
    expect((await other.claim(10, "two", 30_000)).map((row) => row.id)).toEqual(ids);
    await store.delivered(ids, "one");
    await store.rejected([{ id: ids[0] as string, reason: "late" }], "one");
    for (const id of ids) expect(await outbox.state(id)).toMatchObject({ state: "pending", attempts: 0, claimedBy: "two" });
    await other.delivered(ids, "two");
    for (const id of ids) expect((await outbox.state(id))?.state).toBe("processed");
  });

  test("keeps a rejected row as failed with why; a replay's delivery makes it processed", async () => {
    await fresh();
    const [bad, gone] = (await outbox.insert([{}, {}])) as [string, string];
    await store.claim(10, "one", 30_000);
    await store.rejected([{ id: bad, reason: "payload is not valid JSON" }], "one");
    await store.delivered([gone], "one");
    expect(await outbox.state(bad)).toMatchObject({ state: "failed", attempts: 1, lastError: "payload is not valid JSON", claimedBy: null });
    expect(await store.redelivered([bad])).toBe(1);
    expect(await outbox.state(bad)).toMatchObject({ state: "processed", lastError: null });
    await outbox.exec(`DELETE FROM ${outbox.table}`);
    expect(await store.redelivered([bad])).toBe(0);
  });

  test("deletes processed rows older than the retention, at most a batch at a time, and counts the backlog by aggregate type", async () => {
    await fresh();
    const old = await outbox.insert(Array.from({ length: 5 }, () => ({})));
    await store.claim(10, "one", 30_000);
    await store.delivered(old, "one");
    const cutoff = Date.now() + 1;
    await Bun.sleep(5);
    const pending = await outbox.insert([{ aggregatetype: "order" }, { aggregatetype: "order" }, { aggregatetype: "invoice" }]);
    expect(await store.deleteProcessed(cutoff, 3)).toBe(3);
    expect(await store.deleteProcessed(cutoff, 3)).toBe(2);
    expect(await store.deleteProcessed(cutoff, 3)).toBe(0);
    for (const id of pending) expect((await outbox.state(id))?.state).toBe("pending");
    const backlog = (await store.backlog()).sort((a, b) => a.aggregatetype.localeCompare(b.aggregatetype));
    expect(backlog.map(({ aggregatetype, pending }) => ({ aggregatetype, pending }))).toEqual([
      { aggregatetype: "invoice", pending: 1 },
      { aggregatetype: "order", pending: 2 },
    ]);
    expect(Date.now() - (backlog[0]?.oldestAt ?? 0)).toBeLessThan(60_000);
  });

  test("tells its watcher soon after another connection commits rows", async () => {
    await fresh();
    let changes = 0;
    const stop = await store.watch(() => changes++);
    await Bun.sleep(200);
    const before = changes;
    await outbox.insert([{}]);
    const started = performance.now();
    while (changes === before && performance.now() - started < 3_000) await Bun.sleep(10);
    await stop();
    expect(changes).toBeGreaterThan(before);
  });

  test("says to run migrate when the table is not there, and does not call that retriable", async () => {
    const missing =
      outbox.dialect === "postgres"
        ? createPostgresStore({ url: outbox.location, names: tableNames(`${outbox.table.split(".")[0]}.nothing_here`) })
        : createSqliteStore({ path: outbox.location, table: "nothing_here" });
    const error = await missing.claim(10, "one", 1000).catch((caught: unknown) => caught);
    await missing.close();
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).retriable).toBe(false);
    expect((error as Error).message).toContain("run `hobom-event-processor migrate`");
  });
});

describe("an unreachable database", () => {
  test("fails with a retriable DependencyError of postgres", async () => {
    const store = createPostgresStore({ url: "postgres://postgres@127.0.0.1:1/postgres", names: tableNames("outbox"), connectTimeoutMs: 1000 });
    const error = await store.claim(10, "one", 1000).catch((caught: unknown) => caught);
    await store.close();
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).dependency).toBe("postgres");
    expect((error as DependencyError).retriable).toBe(true);
  });

  test("fails with a retriable DependencyError of sqlite when the file is not there", async () => {
    const store = createSqliteStore({ path: "/nonexistent/app.db", table: "outbox" });
    const error = await store.claim(10, "one", 1000).catch((caught: unknown) => caught);
    await store.close();
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).dependency).toBe("sqlite");
    expect((error as DependencyError).retriable).toBe(true);
  });
});
