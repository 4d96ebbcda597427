/**
 * The Redis key scheme. DLQ values stay exactly where the Go processor put them
 * (`dlq:menu:<eventId>`, …) so its entries remain readable; what the relay adds lives under
 * other prefixes that a `dlq:*` pattern never matches.
 */

export interface KeyScheme {
  /** The configured namespace (`HOBOM_REDIS_KEY_PREFIX`), "" by default. */
  readonly namespace: string;
  /**
   * Where a DLQ entry's payload lives: `<ns><prefix><eventId>`, as the Go processor wrote it; an
   * eventId with characters the HTTP API does not accept in a key, or too long for one, is
   * replaced by `sha256-<hex digest>` (its metadata keeps it).
   */
  dlq(prefix: string, eventId: string): string;
  /** Where the relay keeps why and when an entry failed: `<ns>dlqmeta:<prefix><eventId>`. */
  dlqMeta(dlqKey: string): string;
  /** The delivery record of one event: `<ns>sent:<pipeline>:<eventId>`. */
  sent(pipeline: string, eventId: string): string;
  /** The replay lock of one DLQ entry: `<ns>dlqlock:<prefix><eventId>`. */
  dlqLock(dlqKey: string): string;
  /** The lease that makes one instance the owner of a pipeline: `<ns>lease:<pipeline>`. */
  lease(pipeline: string): string;
}

/** Longest DLQ key the HTTP API addresses (one URL path segment). */
export const MAX_DLQ_KEY_LENGTH = 512;

/** Characters of an eventId that a DLQ key holds as it is: no glob characters, slashes, spaces or control characters. */
export const PLAIN_EVENT_ID = /^[A-Za-z0-9._:@+=-]+$/;

/** Where a DLQ key holds a digest instead of an eventId it could not hold as it is. */
export const DIGEST_MARK = "sha256-";

export function keyScheme(namespace: string): KeyScheme {
  const strip = (dlqKey: string) => (dlqKey.startsWith(namespace) ? dlqKey.slice(namespace.length) : dlqKey);
  return {
    namespace,
    dlq(prefix, eventId) {
      const plain = `${namespace}${prefix}${eventId}`;
      if (PLAIN_EVENT_ID.test(eventId) && plain.length <= MAX_DLQ_KEY_LENGTH) return plain;
      // A backend may send any text as an eventId; the key must stay one the API can address. The
      // entry's metadata keeps the eventId itself.
      return `${namespace}${prefix}${DIGEST_MARK}${new Bun.CryptoHasher("sha256").update(eventId).digest("hex")}`;
    },
    dlqMeta: (dlqKey) => `${namespace}dlqmeta:${strip(dlqKey)}`,
    sent: (pipeline, eventId) => `${namespace}sent:${pipeline}:${eventId}`,
    dlqLock: (dlqKey) => `${namespace}dlqlock:${strip(dlqKey)}`,
    lease: (pipeline) => `${namespace}lease:${pipeline}`,
  };
}
