/**
 * The API's `x-api-key` check: constant time, and no way in by accident. A request is let in by
 * HOBOM_INTERNAL_API_KEY or by one of the named HOBOM_INTERNAL_API_KEYS, and carries an actor for
 * the logs and the audit trail: the key's name, else `key:<first 12 hex of its sha256>`. The key
 * itself is never kept beside the request, logged or stored.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { NamedApiKey } from "./variables.ts";

/** Who made a request, as the audit trail and the logs name them. */
export type Actor = string;

/** The actor of a request that sent no key. */
export const ANONYMOUS: Actor = "anonymous";

export type Verdict = { readonly ok: true; readonly actor: Actor } | { readonly ok: false; readonly actor: Actor; readonly detail: string };

export type ApiKeyCheck = (presented: string | undefined) => Verdict;

/** `key:<first 12 hex of sha256(key)>`: names a key without telling it. */
export function fingerprint(key: string): Actor {
  return `key:${sha256(key).toString("hex").slice(0, 12)}`;
}

/**
 * With no key configured every request is refused with a message naming the variables, unless
 * the operator turned auth off on purpose (then a known key still names its holder).
 */
export function apiKeyCheck(params: { single?: string; named: readonly NamedApiKey[]; enabled: boolean }): ApiKeyCheck {
  // Hashing first gives equal lengths, so timingSafeEqual never leaks a key's length either.
  const known = [
    ...params.named.map((entry) => ({ digest: sha256(entry.key), actor: entry.name })),
    ...(params.single === undefined ? [] : [{ digest: sha256(params.single), actor: fingerprint(params.single) }]),
  ];
  const whoSent = (presented: string | undefined): Actor => (presented === undefined ? ANONYMOUS : fingerprint(presented));
  const match = (presented: string): Actor | undefined => {
    const digest = sha256(presented);
    let found: Actor | undefined;
    // Every key is compared, the match or not: the time taken says nothing about which one matched.
    for (const entry of known) if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry.actor;
    return found;
  };
  if (!params.enabled) return (presented) => ({ ok: true, actor: (presented !== undefined && match(presented)) || whoSent(presented) });
  if (known.length === 0) {
    return (presented) => ({
      ok: false,
      actor: whoSent(presented),
      detail: "neither HOBOM_INTERNAL_API_KEY nor HOBOM_INTERNAL_API_KEYS is set on the server; set one (or HOBOM_DLQ_AUTH=off) to use the API routes",
    });
  }
  return (presented) => {
    const actor = presented === undefined ? undefined : match(presented);
    return actor !== undefined ? { ok: true, actor } : { ok: false, actor: whoSent(presented), detail: "missing or wrong x-api-key" };
  };
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
