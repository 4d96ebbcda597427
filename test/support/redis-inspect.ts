/** Looking into Redis from a test: what the relay left under its namespace. */
import { RedisClient } from "bun";

export interface RedisInspector {
  /** Every key under the namespace that matches `pattern` (after the namespace), via SCAN. */
  keys(pattern: string): Promise<string[]>;
  get(key: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  close(): void;
}

export function inspectRedis(url: string, namespace: string): RedisInspector {
  const client = new RedisClient(url);
  return {
    async keys(pattern) {
      const found: string[] = [];
      let cursor = "0";
      do {
        const [next, batch] = (await client.send("SCAN", [cursor, "MATCH", `${namespace}${pattern}`, "COUNT", "1000"])) as [string, string[]];
        cursor = String(next);
        found.push(...batch);
      } while (cursor !== "0");
      return found.sort();
    },
    get: (key) => client.get(key),
    async hgetall(key) {
      const raw = (await client.send("HGETALL", [key])) as Record<string, string> | string[];
      if (!Array.isArray(raw)) return raw ?? {};
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < raw.length; i += 2) fields[String(raw[i])] = String(raw[i + 1]);
      return fields;
    },
    async set(key, value, ttlSeconds) {
      await client.send("SET", ttlSeconds ? [key, value, "EX", String(ttlSeconds)] : [key, value]);
    },
    close: () => client.close(),
  };
}
