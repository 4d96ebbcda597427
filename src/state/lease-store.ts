/**
 * Pipeline leases in Redis: `<ns>lease:<pipeline>` holds the owner's token with an expiry. Only the
 * holder of the token can renew or release it, so an instance that paused past the expiry and
 * lost the lease cannot take it back by accident.
 */
import type { LeaseStore } from "../engine/ports.ts";
import type { KeyScheme } from "./keys.ts";
import type { Redis } from "./redis.ts";

/** KEYS[1] lease, ARGV[1] token, ARGV[2] ttl ms. Returns 1 if this token holds it (expiry reset), else 0. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** KEYS[1] lease, ARGV[1] token. Deletes the lease if this token holds it. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export function createLeaseStore(params: { redis: Redis; keys: KeyScheme }): LeaseStore {
  const { redis, keys } = params;
  return {
    async acquire(name, token, ttlMs) {
      const answer = await redis.send("SET", [keys.lease(name), token, "NX", "PX", String(ttlMs)]);
      return answer !== null && answer !== undefined;
    },
    async renew(name, token, ttlMs) {
      return Number(await redis.script(RENEW_SCRIPT, [keys.lease(name)], [token, String(ttlMs)])) === 1;
    },
    async holds(name, token) {
      return (await redis.send("GET", [keys.lease(name)])) === token;
    },
    async release(name, token) {
      await redis.script(RELEASE_SCRIPT, [keys.lease(name)], [token]);
    },
  };
}
