/**
 * The Redis client against real servers: a deadline on every command (a Redis that hangs fails a
 * cycle in seconds, not when the socket closes), and Redis refusing a command told apart from
 * Redis being unreachable.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { RedisError } from "../../../src/state/errors.ts";
import { connectRedis } from "../../../src/state/redis.ts";
import { freePorts } from "../../infra/processes.ts";
import { LocalRedisServer } from "../../infra/redis-server.ts";
import { testbedEnv } from "../../support/testbed-env.ts";

/** A server that accepts connections and never answers: a Redis that hangs (SIGSTOP, a half-open connection). */
const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
afterAll(() => silent.stop(true));

describe("connectRedis", () => {
  test("fails a command within its deadline when Redis accepts the connection but never answers", async () => {
    const redis = connectRedis({ url: `redis://127.0.0.1:${silent.port}`, commandTimeoutMs: 300 });
    const started = performance.now();
    const error = await redis.send("GET", ["k"]).catch((caught) => caught);
    const took = performance.now() - started;
    redis.close();
    expect(error).toBeInstanceOf(RedisError);
    expect((error as RedisError).refused).toBe(false);
    expect((error as RedisError).retriable).toBe(true);
    expect((error as Error).message).toContain("no answer within 300 ms");
    expect(took).toBeLessThan(2_000);
  });

  test("fails a command within its deadline when nothing listens", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const redis = connectRedis({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 500 });
    const started = performance.now();
    const error = await redis.send("PING", []).catch((caught) => caught);
    redis.close();
    expect(error).toBeInstanceOf(RedisError);
    expect((error as RedisError).refused).toBe(false);
    // The operating system's reason, which Bun's client does not pass on.
    expect((error as Error).message).toContain(`ECONNREFUSED connecting to 127.0.0.1:${port}`);
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  test("never sends a command whose deadline passed while it waited for the connection, once Redis is back", async () => {
    const [port] = freePorts(1) as [number];
    const redis = connectRedis({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 300 });
    const key = `client-test:${crypto.randomUUID()}`;
    expect(await redis.send("SET", [key, "ghost", "NX"]).catch((caught) => caught)).toBeInstanceOf(RedisError);
    const server = new LocalRedisServer(port, "private", false, {});
    await server.start();
    try {
      let answer: unknown;
      for (let attempt = 0; attempt < 50 && answer === undefined; attempt++) answer = await redis.send("SET", [key, "mine", "NX"]).catch(() => undefined);
      // Had the first SET gone out after the reconnect, this one would find the key taken (null).
      expect(answer).toBe("OK");
      expect(await redis.send("GET", [key])).toBe("mine");
    } finally {
      redis.close();
      await server.kill();
    }
  });

  test("tells a command Redis refused (a bad cursor) from an outage: refused, not retriable", async () => {
    const redis = connectRedis({ url: testbedEnv().redisUrl, commandTimeoutMs: 2_000 });
    const error = await redis.send("SCAN", ["99999999999999999999999"]).catch((caught) => caught);
    expect(await redis.send("PING", [])).toBe("PONG");
    redis.close();
    expect(error).toBeInstanceOf(RedisError);
    expect((error as RedisError).refused).toBe(true);
    expect((error as RedisError).retriable).toBe(false);
  });

  test("loads a script it has not run before with EVAL, then runs it by its digest", async () => {
    const redis = connectRedis({ url: testbedEnv().redisUrl, commandTimeoutMs: 2_000 });
    const script = `return ARGV[1] .. "-${crypto.randomUUID()}"`;
    expect(String(await redis.script(script, [], ["a"]))).toStartWith("a-");
    expect(String(await redis.script(script, [], ["b"]))).toStartWith("b-");
    redis.close();
  });
});
