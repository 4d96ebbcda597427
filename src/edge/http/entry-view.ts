/**
 * A DLQ entry as GET /dlq/entries and a dry run show it. Entries the Go processor wrote (value
 * only) get their pipeline from their prefix, their eventId from their key, no reason, event type
 * or first failure (null), 0 attempts, and a last failure estimated from their TTL (expiry − 72 h).
 */
import type { FoundEntry } from "../../state/dlq-search.ts";
import type { CatalogEntry } from "./dlq-key.ts";

export interface EntryView {
  readonly key: string;
  readonly pipeline: string;
  readonly eventId: string;
  readonly eventType: string | null;
  readonly reason: string | null;
  readonly attempts: number;
  readonly firstFailedAt: string | null;
  readonly lastFailedAt: string;
  readonly expiresAt: string | null;
  readonly replayable: boolean;
  readonly topic: string | null;
  readonly bytes: number;
}

export function entryView(found: FoundEntry, namespace: string, catalog: readonly CatalogEntry[]): EntryView {
  const { meta } = found;
  const pipeline = catalog.find((entry) => entry.dlqPrefix === found.prefix)?.name ?? meta?.pipeline ?? "";
  return {
    key: found.key,
    pipeline,
    eventId: meta?.eventId || found.key.slice(namespace.length + found.prefix.length),
    eventType: meta?.eventType || null,
    reason: meta?.reason || null,
    attempts: meta?.attempts ?? 0,
    firstFailedAt: meta?.firstFailedAt || null,
    lastFailedAt: meta?.lastFailedAt || new Date(found.failedAt).toISOString(),
    expiresAt: found.expiresAt === null ? null : new Date(found.expiresAt).toISOString(),
    replayable: meta?.replayable ?? true,
    topic: meta?.topic || null,
    bytes: found.bytes,
  };
}
