import { describe, expect, test } from "bun:test";
import { createPartitionGates, type GateChange } from "../../../../src/sinks/kafka/partition-gates.ts";

function setup() {
  let clock = 1_000_000;
  const changes: GateChange[] = [];
  const gates = createPartitionGates({ backoffMs: [100, 200, 500], now: () => clock, random: () => 0, onChange: (change) => void changes.push(change) });
  return {
    gates,
    changes,
    advance: (ms: number) => {
      clock += ms;
    },
    at: () => clock,
  };
}

describe("createPartitionGates", () => {
  test("closes only the partition that failed, for the next step of the backoff table", () => {
    const { gates, at } = setup();
    expect(gates.failed("t", 2, new Error("leader down"))).toBe(at() + 100);
    expect(gates.closedUntil("t", 2)).toBe(at() + 100);
    expect(gates.closedUntil("t", 1)).toBe(0);
    expect(gates.closedUntil("other", 2)).toBe(0);
  });

  test("waits longer after each consecutive failure, the last step repeated", () => {
    const { gates, at, advance } = setup();
    const waits = [1, 2, 3, 4].map(() => {
      const until = gates.failed("t", 0, "down") - at();
      advance(until);
      return until;
    });
    expect(waits).toEqual([100, 200, 500, 500]);
  });

  test("opens when the wait is over, and after a success starts the table again", () => {
    const { gates, at, advance } = setup();
    gates.failed("t", 0, "down");
    gates.failed("t", 0, "down");
    advance(200);
    expect(gates.closedUntil("t", 0)).toBe(0);
    gates.succeeded("t", 0);
    expect(gates.failed("t", 0, "down")).toBe(at() + 100);
  });

  test("reports an outage of a partition once when it begins and once when it ends", () => {
    const { gates, changes } = setup();
    const error = new Error("leader down");
    gates.failed("t", 3, error);
    gates.failed("t", 3, error);
    gates.succeeded("t", 3);
    gates.succeeded("t", 3);
    expect(changes).toEqual([
      { topic: "t", partition: 3, closed: true, error },
      { topic: "t", partition: 3, closed: false },
    ]);
  });

  test("counts the partitions of each topic that wait for their leader", () => {
    const { gates } = setup();
    gates.failed("a", 0, "down");
    gates.failed("a", 4, "down");
    gates.failed("b", 1, "down");
    gates.succeeded("a", 4);
    expect(gates.closedPerTopic()).toEqual(
      new Map([
        ["a", 1],
        ["b", 1],
      ]),
    );
  });
});
