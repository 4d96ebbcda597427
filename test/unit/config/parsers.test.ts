import { describe, expect, test } from "bun:test";
import {
  brokerList,
  grpcAddress,
  integer,
  integerList,
  listenAddress,
  oneOf,
  optionalText,
  redisAddress,
  text,
  ValueProblem,
} from "../../../src/config/parsers.ts";

describe("integer", () => {
  const ms = integer(1, 3_600_000);
  test("reads whole numbers within bounds", () => {
    expect(ms("1")).toBe(1);
    expect(ms("3600000")).toBe(3_600_000);
    expect(integer(-5)("-5")).toBe(-5);
  });

  test("refuses anything else with a ValueProblem saying why", () => {
    for (const bad of ["", "abc", "1.5", "1e3", "5s", "0x10", "+5"]) expect(() => ms(bad)).toThrow(ValueProblem);
    expect(() => ms("0")).toThrow("0 is outside 1..3600000");
    expect(() => ms("3600001")).toThrow(ValueProblem);
    expect(() => integer(1)("99999999999999999999")).toThrow(ValueProblem);
  });
});

describe("integerList", () => {
  test("reads comma-separated whole numbers, spaces allowed", () => {
    expect(integerList(1, 100)("10, 20,30")).toEqual([10, 20, 30]);
    expect(integerList(0, 100)("0")).toEqual([0]);
  });

  test("refuses empty items and items out of bounds", () => {
    expect(() => integerList(1, 100)("10,,20")).toThrow("has an empty item");
    expect(() => integerList(1, 100)("10,")).toThrow(ValueProblem);
    expect(() => integerList(1, 100)("10,200")).toThrow(ValueProblem);
  });
});

describe("oneOf", () => {
  test("accepts the choices in any case and returns them lower-cased", () => {
    const level = oneOf("debug", "info");
    expect(level(" INFO ")).toBe("info");
    expect(() => level("trace")).toThrow('"trace" is not one of debug, info');
  });
});

describe("text", () => {
  test("refuses empty text; optionalText keeps it", () => {
    expect(text("x")).toBe("x");
    expect(() => text("  ")).toThrow(ValueProblem);
    expect(optionalText("")).toBe("");
  });
});

describe("grpcAddress", () => {
  test("accepts host:port, IPv6 and gRPC name-resolver targets", () => {
    for (const good of ["localhost:50051", "10.0.0.5:443", "backend.hobom.svc.cluster.local:50051", "dns:///svc:443", "[::1]:50051"]) {
      expect(grpcAddress(good)).toBe(good);
    }
    expect(grpcAddress(" localhost:50051 ")).toBe("localhost:50051");
  });

  test("refuses an address without a port or with spaces", () => {
    for (const bad of ["localhost", "localhost:", ":50051", "local host:50051", "http://localhost", "localhost:abc"]) {
      expect(() => grpcAddress(bad)).toThrow(ValueProblem);
    }
  });

  test("refuses a port above 65535", () => {
    expect(() => grpcAddress("localhost:70000")).toThrow(ValueProblem);
  });
});

describe("brokerList", () => {
  test("reads one broker or a comma-separated list", () => {
    expect(brokerList("localhost:9092")).toEqual(["localhost:9092"]);
    expect(brokerList("a:9092, b:9093,")).toEqual(["a:9092", "b:9093"]);
  });

  test("refuses an empty list or a broker that is not host:port", () => {
    expect(() => brokerList(" , ")).toThrow("no broker given");
    expect(() => brokerList("a:9092,b")).toThrow('"b" is not host:port');
    expect(() => brokerList("kafka://a:9092")).toThrow(ValueProblem);
  });

  test("refuses a port above 65535", () => {
    expect(() => brokerList("localhost:99999")).toThrow(ValueProblem);
  });
});

describe("listenAddress", () => {
  test("reads :port as every interface, host:port and [ipv6]:port", () => {
    expect(listenAddress(":8082")).toEqual({ hostname: "0.0.0.0", port: 8082 });
    expect(listenAddress("127.0.0.1:9000")).toEqual({ hostname: "127.0.0.1", port: 9000 });
    expect(listenAddress("[::1]:8082")).toEqual({ hostname: "::1", port: 8082 });
  });

  test("refuses a missing or impossible port", () => {
    for (const bad of ["8082", "localhost", "localhost:", ":65536", ":port"]) expect(() => listenAddress(bad)).toThrow(ValueProblem);
  });
});

describe("redisAddress", () => {
  test("turns host:port into a redis:// URL and keeps URLs as they are", () => {
    expect(redisAddress("localhost:6379")).toBe("redis://localhost:6379");
    expect(redisAddress("redis://:secret@cache:6379/1")).toBe("redis://:secret@cache:6379/1");
    expect(redisAddress("rediss://cache:6380")).toBe("rediss://cache:6380");
  });

  test("refuses anything else", () => {
    for (const bad of ["localhost", "cache:port", "redis://[bad", "http://cache:6379"]) expect(() => redisAddress(bad)).toThrow(ValueProblem);
  });
});
