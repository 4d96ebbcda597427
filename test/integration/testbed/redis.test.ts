/**
 * Proves the test bed's Redis works with the client the dead-letter queue uses (Bun's RedisClient),
 * that a private redis-server can be taken down and brought back without hanging clients, and
 * how that client does TLS (a CA through the `tls` option) and ACL users (from the URL).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { RedisClient } from "bun";
import { type RedisInstance, startRedisServer } from "../../infra/redis-server.ts";
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

describe("private redis-server with TLS and ACL users", () => {
  const relay = { name: "relay", password: `pw-${Math.random().toString(36).slice(2)}` };
  const reader = { name: "reader", password: `pw-${Math.random().toString(36).slice(2)}`, rules: ["~allowed:*", "+get", "+ping"] };
  let server: RedisInstance;
  let ca: string;
  beforeAll(async () => {
    server = await startRedisServer({ tls: true, users: [relay, reader] });
    ca = readFileSync(server.caCertFile ?? "", "utf8");
  });
  afterAll(() => server?.stop());

  /** A client that does not retry, so that a refused connection fails in milliseconds. */
  const client = (url: string, tls?: { ca: string }) =>
    new RedisClient(url, { connectionTimeout: 2_000, autoReconnect: false, enableOfflineQueue: false, ...(tls ? { tls } : {}) });
  const withUser = (user: { name: string; password: string }, password = user.password) =>
    server.url.replace("rediss://", `rediss://${user.name}:${password}@`);

  test("listens on rediss:// only, and Bun's RedisClient connects once given the CA as tls.ca", async () => {
    expect(server.url).toBe(`rediss://127.0.0.1:${server.port}`);
    const redis = client(server.url, { ca });
    try {
      await redis.connect();
      expect(await redis.send("PING", [])).toBe("PONG");
      expect(await redis.send("ACL", ["WHOAMI"])).toBe("default");
    } finally {
      redis.close();
    }
    const plaintext = client(server.url.replace("rediss://", "redis://"));
    try {
      await expect(plaintext.connect()).rejects.toMatchObject({ code: "ERR_REDIS_CONNECTION_CLOSED" });
    } finally {
      plaintext.close();
    }
  });

  test("without the CA (the system trust store) the TLS handshake is refused", async () => {
    const redis = client(server.url);
    try {
      await expect(redis.connect()).rejects.toMatchObject({ code: "ERR_REDIS_CONNECTION_CLOSED", message: "Connection closed" });
    } finally {
      redis.close();
    }
  });

  test("an ACL user named in the URL authenticates as that user, and its rules apply", async () => {
    const asRelay = client(withUser(relay), { ca });
    const asReader = client(withUser(reader), { ca });
    try {
      await Promise.all([asRelay.connect(), asReader.connect()]);
      expect(await asRelay.send("ACL", ["WHOAMI"])).toBe("relay");
      expect(await asRelay.set("allowed:greeting", "hello")).toBe("OK");
      expect(await asReader.get("allowed:greeting")).toBe("hello");
      await expect(asReader.set("allowed:greeting", "changed")).rejects.toThrow(/NOPERM/);
      await expect(asReader.get("elsewhere")).rejects.toThrow(/NOPERM/);
    } finally {
      asRelay.close();
      asReader.close();
    }
  });

  test("a wrong password is refused: Bun reports only ERR_REDIS_CONNECTION_CLOSED, the server logs a failed HELLO for the user", async () => {
    const redis = client(withUser(relay, "wrong-password"), { ca });
    try {
      // Bun sends HELLO 3 AUTH <user> <password>; Redis answers WRONGPASS, which Bun does not pass on.
      await expect(redis.connect()).rejects.toMatchObject({ code: "ERR_REDIS_CONNECTION_CLOSED", message: "Connection closed" });
    } finally {
      redis.close();
    }
    const admin = client(server.url, { ca });
    try {
      await admin.connect();
      const log = (await admin.send("ACL", ["LOG", "1"])) as Record<string, unknown>[];
      expect(log[0]).toMatchObject({ reason: "auth", object: "HELLO", username: "relay" });
    } finally {
      admin.close();
    }
  });
});

test("ACL users work on a plaintext redis-server too, and the default user keeps working", async () => {
  const user = { name: "relay", password: `pw-${Math.random().toString(36).slice(2)}` };
  const server = await startRedisServer({ users: [user] });
  const asUser = new RedisClient(server.url.replace("redis://", `redis://${user.name}:${user.password}@`));
  const asDefault = new RedisClient(server.url);
  try {
    expect(await asUser.send("ACL", ["WHOAMI"])).toBe("relay");
    expect(await asDefault.send("ACL", ["WHOAMI"])).toBe("default");
  } finally {
    asUser.close();
    asDefault.close();
    await server.stop();
  }
});
