import { describe, expect, test } from "bun:test";
import { createGcPacer } from "../../../src/engine/gc-pacing.ts";

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
      fullBatch: () => inner.fullBatch(),
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

  test("collects once after each full batch of a bounded source, and never with everyRows 0", () => {
    const paced = counting(1_000);
    paced.pacer.handled(10);
    paced.pacer.fullBatch();
    paced.pacer.fullBatch();
    expect(paced.collections).toEqual([10, 10]);
    const off = counting(0);
    off.pacer.fullBatch();
    expect(off.collections).toEqual([]);
  });
});

// What the pipelines count (every settled event, once the source answered) is tested with runCycle's
// onSettled in cycle.test.ts.
