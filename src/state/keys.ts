/**
 * The Redis key scheme. DLQ values stay exactly where the Go processor put them
 * (`dlq:menu:<eventId>`, …) so its entries remain readable; what the relay adds lives under
 * other prefixes that a `dlq:*` pattern never matches (`dlqmeta:`, `dlq-index:`, `dlq-job:`, …).
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
  /** The DLQ prefix of a DLQ key, without the namespace (`dlq:<name>:`, every prefix's form); undefined for another key. */
  dlqPrefixOf(dlqKey: string): string | undefined;
  /** Where the relay keeps why and when an entry failed: `<ns>dlqmeta:<prefix><eventId>`. */
  dlqMeta(dlqKey: string): string;
  /** The delivery record of one event: `<ns>sent:<pipeline>:<eventId>`. */
  sent(pipeline: string, eventId: string): string;
  /** The replay lock of one DLQ entry: `<ns>dlqlock:<prefix><eventId>`. */
  dlqLock(dlqKey: string): string;
  /** The lease that makes one instance the owner of a pipeline: `<ns>lease:<pipeline>`. */
  lease(pipeline: string): string;
  /** The DLQ index of one prefix, by last failure: `<ns>dlq-index:<prefix>`, member = entry key, score = lastFailedAt (epoch ms). */
  dlqIndex(prefix: string): string;
  /** The same entries by expiry: `<ns>dlq-expiry:<prefix>`, score = when Redis drops the entry (epoch ms). */
  dlqExpiry(prefix: string): string;
  /** The audit trail, a capped stream: `<ns>audit`. */
  readonly audit: string;
  /** One bulk replay job (a hash): `<ns>dlq-job:<id>`; its per-entry results (a list): `<ns>dlq-job:<id>:items`. */
  job(id: string): string;
  jobItems(id: string): string;
  /** The jobs by creation time (a sorted set of ids): `<ns>dlq-jobs`. */
  readonly jobs: string;
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
    dlqPrefixOf(dlqKey) {
      if (!dlqKey.startsWith(namespace)) return undefined;
      return /^dlq:[^:]+:/.exec(dlqKey.slice(namespace.length))?.[0];
    },
    dlqMeta: (dlqKey) => `${namespace}dlqmeta:${strip(dlqKey)}`,
    sent: (pipeline, eventId) => `${namespace}sent:${pipeline}:${eventId}`,
    dlqLock: (dlqKey) => `${namespace}dlqlock:${strip(dlqKey)}`,
    lease: (pipeline) => `${namespace}lease:${pipeline}`,
    dlqIndex: (prefix) => `${namespace}dlq-index:${prefix}`,
    dlqExpiry: (prefix) => `${namespace}dlq-expiry:${prefix}`,
    audit: `${namespace}audit`,
    job: (id) => `${namespace}dlq-job:${id}`,
    jobItems: (id) => `${namespace}dlq-job:${id}:items`,
    jobs: `${namespace}dlq-jobs`,
  };
}
