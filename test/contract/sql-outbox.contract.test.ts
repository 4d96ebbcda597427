/** The SQL outbox source passes the source contract on a PostgreSQL schema and on a SQLite file of its own. */
import { createPoller } from "../../src/engine/polling.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import { createPostgresStore } from "../../src/sources/sql-outbox/postgres.ts";
import { tableNames } from "../../src/sources/sql-outbox/postgres-schema.ts";
import { createSqlOutboxSource } from "../../src/sources/sql-outbox/source.ts";
import { createSqliteStore } from "../../src/sources/sql-outbox/sqlite.ts";
import type { OutboxStore } from "../../src/sources/sql-outbox/store.ts";
import { OUTBOX_DIALECTS } from "../support/sql-outbox.ts";
import { sourceContract } from "./source-contract.ts";

const STATES = { pending: "waiting", processed: "delivered", failed: "rejected" } as const;

function source(store: OutboxStore) {
  // A short claim, so that rows a "dead" source left claimed come again within the suite's patience.
  return createSqlOutboxSource({
    store,
    owner: `contract-${crypto.randomUUID()}`,
    batchSize: 100,
    leaseMs: 300,
    poller: createPoller({ intervalMs: 2_000 }),
    retryBackoffMs: [0],
    log: silentLogger,
  });
}

for (const [dialect, make] of OUTBOX_DIALECTS) {
  sourceContract(`sql-outbox (${dialect})`, { polls: true }, async () => {
    const outbox = await make("contract");
    let written = 0;
    return {
      source: () => source(outbox.store()),
      write: (count) => outbox.insert(Array.from({ length: count }, () => ({ aggregateid: `agg-${written++ % 3}` }))),
      async stateOf(id) {
        const row = await outbox.state(id);
        if (!row) throw new Error(`no row ${id}`);
        return STATES[row.state];
      },
      unreachable: () =>
        source(
          dialect === "postgres"
            ? createPostgresStore({ url: "postgres://postgres@127.0.0.1:1/postgres", names: tableNames("outbox"), connectTimeoutMs: 1000 })
            : createSqliteStore({ path: "/nonexistent/contract.db", table: "outbox" }),
        ),
      close: () => outbox.drop(),
    };
  });
}
