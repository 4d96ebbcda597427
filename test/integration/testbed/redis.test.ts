/**
 * Proves the test bed's Redis works with the client the dead-letter queue uses (Bun's RedisClient),
 * and that a private redis-server can be taken down and brought back without hanging clients.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { startRedisServer, type RedisInstance } from "../../infra/redis-server.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";

/** Retries fn until it resolves, for up to 5 s. */
async function eventually<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await Bun.sleep(50);
    }
  }
}

describe("test bed Redis", () => {
  test("round-trips a value with a TTL on the shared Redis", async () => {
    const redis = new RedisClient(testbedEnv().redisUrl);
    const key = `${uniqueName("testbed")}:greeting`;
    try {
      expect(await redis.set(key, "hello", "EX", 60)).toBe("OK");
      expect(await redis.get(key)).toBe("hello");
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
    } finally {
      await redis.del(key);
      redis.close();
    }
  });

  describe("private redis-server", () => {
    let server: RedisInstance | undefined;
    afterAll(() => server?.stop());

    test("commands fail fast while it is stopped and work again after start", async () => {
      server = await startRedisServer();
      // Without the offline queue a command on a dead connection rejects at once; with it (the
      // default) it waits through every reconnect attempt, about 30 s.
      const redis = new RedisClient(server.url, { connectionTimeout: 500, enableOfflineQueue: false });
      const key = `${uniqueName("testbed")}:state`;
      try {
        // Without the offline queue, commands sent before the first connection reject as well.
        await redis.connect();
        expect(await redis.set(key, "before")).toBe("OK");

        await server.stop();
        const askedAt = Date.now();
        await expect(redis.get(key)).rejects.toMatchObject({ code: "ERR_REDIS_CONNECTION_CLOSED" });
        expect(Date.now() - askedAt).toBeLessThan(1_000);

        await server.start();
        // The same client reconnects by itself (backoff from 50 ms, default 20 attempts); the
        // restarted server is empty, nothing is persisted.
        expect(await eventually(() => redis.get(key))).toBeNull();
        expect(await redis.set(key, "after")).toBe("OK");
        expect(await redis.get(key)).toBe("after");
      } finally {
        redis.close();
      }
    }, 30_000);
  });
});
