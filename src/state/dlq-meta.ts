/** The metadata the relay keeps beside a DLQ entry (`<ns>dlqmeta:<key>`, a hash), as read back. */

/** Why and when an entry failed, as the relay records it. */
export interface DlqEntryMeta {
  readonly pipeline: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly topic: string;
  readonly recordKey: string;
  /** The headers it was sent with (pipelines whose mapping sets headers); empty otherwise. */
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly replayable: boolean;
}

/** HGETALL comes back as an object (RESP3) or a flat list (RESP2); empty means no metadata (an entry the Go processor wrote). */
export function toMeta(raw: unknown): DlqEntryMeta | null {
  const fields = hashFields(raw);
  if (Object.keys(fields).length === 0) return null;
  return {
    pipeline: fields.pipeline ?? "",
    eventId: fields.eventId ?? "",
    eventType: fields.eventType ?? "",
    topic: fields.topic ?? "",
    recordKey: fields.recordKey ?? "",
    headers: headersIn(fields.headers),
    reason: fields.reason ?? "",
    attempts: Number(fields.attempts ?? 0),
    firstFailedAt: fields.firstFailedAt ?? "",
    lastFailedAt: fields.lastFailedAt ?? "",
    replayable: fields.replayable !== "0",
  };
}

/** A hash's fields as strings, whichever shape the reply has. */
export function hashFields(raw: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (Array.isArray(raw)) for (let i = 0; i + 1 < raw.length; i += 2) fields[String(raw[i])] = String(raw[i + 1]);
  else if (raw !== null && typeof raw === "object") for (const [name, value] of Object.entries(raw)) fields[name] = String(value);
  return fields;
}

function headersIn(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}
