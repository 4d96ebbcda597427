import { describe, expect, test } from "bun:test";
import { createLogger } from "../../../src/observability/logger.ts";
import { createOutages } from "../../../src/observability/outages.ts";

function setup() {
  const lines: Record<string, unknown>[] = [];
  const counted: string[] = [];
  const changes: [string, boolean][] = [];
  const log = createLogger({ level: "debug", write: (line) => void lines.push(JSON.parse(line)) });
  const outages = createOutages<"redis" | "kafka">({
    log,
    count: (dependency) => void counted.push(dependency),
    onChange: (dependency, up) => void changes.push([dependency, up]),
    now: () => new Date("2026-12-01T00:00:00Z"),
  });
  return { outages, lines, counted, changes };
}

describe("createOutages", () => {
  test("logs an outage once when it begins and once when it ends, and counts every failure", () => {
    const { outages, lines, counted } = setup();
    outages.failed("redis", new Error("ECONNREFUSED"));
    outages.failed("redis", new Error("ECONNREFUSED"));
    outages.failed("redis", new Error("no answer within 3000 ms"));
    outages.succeeded("redis");
    outages.succeeded("redis");
    expect(counted).toEqual(["redis", "redis", "redis"]);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ["error", "redis unreachable"],
      ["info", "redis reachable again"],
    ]);
    expect(lines[0]?.error).toBe("ECONNREFUSED");
    expect(lines[1]?.failures).toBe(3);
  });

  test("shows each dependency in an outage with when it began and its latest error", () => {
    const { outages } = setup();
    outages.failed("kafka", new Error("first"));
    outages.failed("kafka", new Error("latest"));
    expect(outages.current()).toEqual({ kafka: { since: "2026-12-01T00:00:00.000Z", error: "latest", failures: 2 } });
    outages.succeeded("kafka");
    expect(outages.current()).toEqual({});
  });

  test("tells the up gauge once when a dependency goes down and once when it comes back; a probe's failure is not counted as an error", () => {
    const { outages, counted, changes } = setup();
    outages.failed("redis", new Error("ECONNREFUSED"), { counted: false });
    outages.failed("redis", new Error("ECONNREFUSED"));
    outages.succeeded("redis");
    outages.succeeded("redis");
    expect(changes).toEqual([
      ["redis", false],
      ["redis", true],
    ]);
    expect(counted).toEqual(["redis"]);
  });
});
