/** Delivery records in Redis: `sent:<pipeline>:<eventId>`, kept for the delivery TTL. */
import type { DeliveryLedger } from "../engine/ports.ts";
import type { KeyScheme } from "./keys.ts";
import type { Redis } from "./redis.ts";

/** Keys per MGET / per burst of SETs: large enough to be fast, small enough not to stall Redis. */
const CHUNK = 1000;

export function createDeliveryLedger(params: { redis: Redis; keys: KeyScheme; ttlSeconds: number }): DeliveryLedger {
  const { redis, keys } = params;
  return {
    async delivered(pipeline, eventIds) {
      const found = new Set<string>();
      for (let start = 0; start < eventIds.length; start += CHUNK) {
        const ids = eventIds.slice(start, start + CHUNK);
        const values = (await redis.send(
          "MGET",
          ids.map((id) => keys.sent(pipeline, id)),
        )) as (string | null)[];
        values.forEach((value, index) => {
          if (value !== null) found.add(ids[index] as string);
        });
      }
      return found;
    },
    async record(pipeline, eventIds) {
      const at = new Date().toISOString();
      const ttl = String(params.ttlSeconds);
      for (let start = 0; start < eventIds.length; start += CHUNK) {
        const ids = eventIds.slice(start, start + CHUNK);
        // Bun pipelines commands issued together: one round trip per chunk.
        await Promise.all(ids.map((id) => redis.send("SET", [keys.sent(pipeline, id), at, "EX", ttl])));
      }
    },
  };
}
