import { describe, expect, test } from "bun:test";
import { createLogger, type LogLevel, silentLogger } from "../../../src/observability/logger.ts";

const TIME = new Date("2024-05-06T07:08:09.123Z");

function capture(level: LogLevel = "debug") {
  const lines: string[] = [];
  const log = createLogger({ level, write: (line) => void lines.push(line), now: () => TIME });
  return { log, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("createLogger", () => {
  test("writes one JSON object per line: level, time, msg, then the fields", () => {
    const { log, lines } = capture();
    log.info("cycle done", { pipeline: "message", fetched: 3 });
    expect(lines).toEqual(['{"level":"info","time":"2024-05-06T07:08:09.123Z","msg":"cycle done","pipeline":"message","fetched":3}\n']);
  });

  test("drops lines below its level", () => {
    const { log, parsed } = capture("warn");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(parsed().map((line) => line.level)).toEqual(["warn", "error"]);
  });

  test("writes every level at debug", () => {
    const { log, parsed } = capture("debug");
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(parsed().map((line) => line.msg)).toEqual(["d", "i", "w", "e"]);
  });

  test("adds a child's fields to every line, nested children included, keeping the level", () => {
    const { log, parsed } = capture("info");
    const child = log.child({ pipeline: "log" });
    child.debug("hidden");
    child.info("one", { eventId: "e1" });
    child.child({ component: "kafka" }).warn("two");
    log.info("parent");
    expect(parsed()).toEqual([
      { level: "info", time: TIME.toISOString(), msg: "one", pipeline: "log", eventId: "e1" },
      { level: "warn", time: TIME.toISOString(), msg: "two", pipeline: "log", component: "kafka" },
      { level: "info", time: TIME.toISOString(), msg: "parent" },
    ]);
  });

  test("renders Error values as their message, wherever they sit", () => {
    const { log, parsed } = capture();
    log.error("send failed", { error: new Error("broker down"), nested: { cause: new TypeError("bad") }, list: [new Error("first")] });
    expect(parsed()[0]).toMatchObject({ error: "broker down", nested: { cause: "bad" }, list: ["first"] });
  });

  test("writes bigint values as text instead of throwing", () => {
    const { log, parsed } = capture();
    log.info("key", { nanos: 1_714_979_289_000_000_000n });
    expect(parsed()[0]?.nanos).toBe("1714979289000000000");
  });

  test("silentLogger accepts every call and its children", () => {
    silentLogger.error("nothing", { error: new Error("x") });
    silentLogger.child({ a: 1 }).info("nothing");
  });
});
