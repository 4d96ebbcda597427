/** The DLQ in Redis, compatible with the entries the Go processor wrote; each entry indexed as it is written (dlq-index.ts). */
import type { DeadLetterStore } from "../engine/ports.ts";
import type { KeyScheme } from "./keys.ts";
import type { Redis } from "./redis.ts";

/**
 * KEYS[1] the entry (its value is the payload, as the Go processor stored it)
 * KEYS[2] its metadata hash
 * KEYS[3] its prefix's index by last failure, KEYS[4] by expiry (dlq-index.ts)
 * ARGV    value, ttl seconds, pipeline, eventId, eventType, topic, recordKey, reason, failedAt,
 *         replayable ("1" or "0"), attempts (the delivery attempts this failure took), headers (JSON, or ""),
 *         failedAt as epoch ms (the index score), expiry as epoch ms
 * Returns the delivery attempts the entry has seen in all (a row dead-lettered again adds its own).
 */
const PUT_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('HSETNX', KEYS[2], 'firstFailedAt', ARGV[9])
redis.call('HSET', KEYS[2], 'pipeline', ARGV[3], 'eventId', ARGV[4], 'eventType', ARGV[5],
  'topic', ARGV[6], 'recordKey', ARGV[7], 'reason', ARGV[8], 'lastFailedAt', ARGV[9],
  'replayable', ARGV[10], 'headers', ARGV[12])
local attempts = redis.call('HINCRBY', KEYS[2], 'attempts', ARGV[11])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[13], KEYS[1])
redis.call('ZADD', KEYS[4], ARGV[14], KEYS[1])
return attempts
`;

export function createDeadLetterStore(params: { redis: Redis; keys: KeyScheme; ttlSeconds: number }): DeadLetterStore {
  const { redis, keys } = params;
  return {
    async put(letter) {
      const key = keys.dlq(letter.prefix, letter.eventId);
      await redis.script(
        PUT_SCRIPT,
        [key, keys.dlqMeta(key), keys.dlqIndex(letter.prefix), keys.dlqExpiry(letter.prefix)],
        [
          letter.value,
          String(params.ttlSeconds),
          letter.pipeline,
          letter.eventId,
          letter.eventType,
          letter.destination ?? "",
          letter.recordKey ?? "",
          letter.reason,
          letter.failedAt.toISOString(),
          letter.replayable ? "1" : "0",
          String(letter.attempts),
          letter.headers && Object.keys(letter.headers).length > 0 ? JSON.stringify(letter.headers) : "",
          String(letter.failedAt.getTime()),
          String(Date.now() + params.ttlSeconds * 1000),
        ],
      );
    },
  };
}
