/**
 * The Redis key scheme. DLQ values stay exactly where the Go processor put them
 * (`dlq:menu:<eventId>`, …) so its entries remain readable; what the relay adds lives under
 * other prefixes that a `dlq:*` pattern never matches.
 */

export interface KeyScheme {
  /** The configured namespace (`HOBOM_REDIS_KEY_PREFIX`), "" by default. */
  readonly namespace: string;
  /** Where a DLQ entry's payload lives: `<ns><prefix><eventId>`. */
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

export function keyScheme(namespace: string): KeyScheme {
  const strip = (dlqKey: string) => (dlqKey.startsWith(namespace) ? dlqKey.slice(namespace.length) : dlqKey);
  return {
    namespace,
    dlq: (prefix, eventId) => `${namespace}${prefix}${eventId}`,
    dlqMeta: (dlqKey) => `${namespace}dlqmeta:${strip(dlqKey)}`,
    sent: (pipeline, eventId) => `${namespace}sent:${pipeline}:${eventId}`,
    dlqLock: (dlqKey) => `${namespace}dlqlock:${strip(dlqKey)}`,
    lease: (pipeline) => `${namespace}lease:${pipeline}`,
  };
}
