/**
 * Full garbage collections paced by the rows the relay marks, so that a large backlog is drained
 * in bounded memory.
 *
 * JavaScriptCore runs a full collection when its heap has doubled since the last one, and in a
 * drain most garbage needs a full collection: a gRPC mark on Bun's HTTP/2 leaves about 15 KB,
 * alive for the call's round trip, so the eden collections that run meanwhile promote it. Left to
 * itself, the heap of a 100,000-row drain grew from 60 to 200 MB between two full collections
 * (peak RSS 280-390 MiB). A full collection after every 1,000 marks keeps the heap near its live
 * size (peak RSS 164-171 MiB) for ~25 ms each, ~2.4 CPU s per 100,000 rows. Settles pace the cycle
 * (see cycle.ts), so counting them also paces the garbage of reading and delivering; an idle relay
 * never collects. The pipelines count every event settled, whatever the outcome.
 */
export interface GcPacer {
  /** Counts rows handled; runs a full collection each time `everyRows` more have been handled. */
  handled(rows: number): void;
  /**
   * A source of bounded batches (a claim of N rows) handed over a full one: it is draining a
   * backlog, and the batch is the unit its garbage comes in, so one full collection follows it.
   * A live stream's small batches never collect: a collection's pause would be their latency.
   */
  fullBatch(): void;
}

/** `everyRows` 0 leaves every collection to the runtime. */
export function createGcPacer(params: { everyRows: number; collect: () => void }): GcPacer {
  let since = 0;
  return {
    handled(rows) {
      if (params.everyRows === 0) return;
      since += rows;
      if (since < params.everyRows) return;
      since = 0;
      params.collect();
    },
    fullBatch() {
      if (params.everyRows !== 0) params.collect();
    },
  };
}
