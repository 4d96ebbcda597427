/**
 * The audit trail in Redis: one capped stream (`<ns>audit`, XADD MAXLEN ~ 10000), newest read
 * first. Redis gives each entry its id (`<ms>-<seq>`), which pages the trail backwards.
 */
import { hashFields } from "./dlq-meta.ts";
import type { KeyScheme } from "./keys.ts";
import type { Redis } from "./redis.ts";

/** Entries the stream keeps, about (Redis trims whole nodes: `~`). */
export const AUDIT_MAX_ENTRIES = 10_000;

export interface AuditRecord {
  /** When, ISO 8601. */
  readonly at: string;
  /** Who: an api key's name, `key:<fingerprint>`, or `anonymous`. */
  readonly actor: string;
  readonly action: string;
  /** What it was done to (a DLQ key, a job id); null when nothing in particular. */
  readonly target: string | null;
  readonly outcome: "ok" | "failed" | "refused" | "dry-run";
  /** The HTTP status answered. */
  readonly status: number;
  readonly detail: string | null;
}

export interface AuditEntry extends AuditRecord {
  /** The stream id: `<ms>-<seq>`. */
  readonly id: string;
}

export interface AuditLog {
  /** Appends one record; resolves with its id. */
  append(record: AuditRecord): Promise<string>;
  /** Up to `limit` entries, newest first, older than `before` (an id) when given; `nextBefore` pages on, null at the end. */
  read(options: { limit: number; before?: string }): Promise<{ items: AuditEntry[]; nextBefore: string | null }>;
}

export function createAuditLog(params: { redis: Redis; keys: KeyScheme }): AuditLog {
  const { redis, keys } = params;
  return {
    async append(record) {
      const fields = [
        ["at", record.at],
        ["actor", record.actor],
        ["action", record.action],
        ["target", record.target],
        ["outcome", record.outcome],
        ["status", String(record.status)],
        ["detail", record.detail],
      ].flatMap(([name, value]) => (value === null ? [] : [name as string, value as string]));
      return String(await redis.send("XADD", [keys.audit, "MAXLEN", "~", String(AUDIT_MAX_ENTRIES), "*", ...fields]));
    },
    async read({ limit, before }) {
      const reply = (await redis.send("XREVRANGE", [keys.audit, before === undefined ? "+" : `(${before}`, "-", "COUNT", String(limit + 1)])) as unknown[];
      const entries = (reply ?? []).map(toEntry);
      const items = entries.slice(0, limit);
      return { items, nextBefore: entries.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
  };
}

/** One XREVRANGE element: [id, [field, value, …]] (or the fields as an object). */
function toEntry(raw: unknown): AuditEntry {
  const [id, body] = raw as [unknown, unknown];
  const fields = hashFields(body);
  return {
    id: String(id),
    at: fields.at ?? "",
    actor: fields.actor ?? "",
    action: fields.action ?? "",
    target: fields.target ?? null,
    outcome: (fields.outcome ?? "ok") as AuditRecord["outcome"],
    status: Number(fields.status ?? 0),
    detail: fields.detail ?? null,
  };
}
