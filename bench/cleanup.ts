/**
 * Leaves the shared test bed as it was found: every run's topics are deleted and its Redis
 * namespace (100,000 delivery records per backlog run) is removed, since tests share both.
 */
import { RedisClient } from "bun";
import { Kafka, logLevel } from "kafkajs";

export async function deleteTopics(brokers: readonly string[], topics: readonly string[]): Promise<void> {
  const admin = new Kafka({ clientId: "hobom-bench-cleanup", brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics], timeout: 10_000 });
  } catch {
    // A topic the run never created (or already gone): nothing to clean.
  } finally {
    await admin.disconnect();
  }
}

/** UNLINKs every key starting with `namespace`; returns how many. */
export async function deleteRedisNamespace(url: string, namespace: string): Promise<number> {
  const client = new RedisClient(url);
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = (await client.send("SCAN", [cursor, "MATCH", `${namespace}*`, "COUNT", "5000"])) as [string, string[]];
      cursor = String(next);
      if (keys.length > 0) {
        await client.send("UNLINK", keys);
        deleted += keys.length;
      }
    } while (cursor !== "0");
  } finally {
    client.close();
  }
  return deleted;
}
