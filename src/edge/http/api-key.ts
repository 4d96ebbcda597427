/** The DLQ routes' `x-api-key` check: constant time, and no way in by accident. */
import { createHash, timingSafeEqual } from "node:crypto";

export type ApiKeyCheck = (presented: string | undefined) => { ok: true } | { ok: false; detail: string };

/**
 * `expected` undefined means HOBOM_INTERNAL_API_KEY is unset: every request is refused with a
 * message naming the variable, unless the operator turned auth off on purpose.
 */
export function apiKeyCheck(expected: string | undefined, authEnabled: boolean): ApiKeyCheck {
  if (!authEnabled) return () => ({ ok: true });
  if (expected === undefined) {
    return () => ({ ok: false, detail: "HOBOM_INTERNAL_API_KEY is not set on the server; set it (or HOBOM_DLQ_AUTH=off) to use the DLQ routes" });
  }
  // Hashing first gives equal lengths, so timingSafeEqual never leaks the key's length either.
  const expectedDigest = createHash("sha256").update(expected).digest();
  return (presented) => {
    const digest = createHash("sha256")
      .update(presented ?? "")
      .digest();
    return presented !== undefined && timingSafeEqual(digest, expectedDigest) ? { ok: true } : { ok: false, detail: "missing or wrong x-api-key" };
  };
}
