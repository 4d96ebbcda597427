/** What `dlq ls`, `dlq show` and a single `dlq retry` print for people (scripts use --json). */
import type { EntryPage, EntrySummary, RetryAnswer, StoredEntry } from "./api-types.ts";
import { relativeTime, spanText } from "./durations.ts";
import { type Column, printable, renderTable } from "./table.ts";

/** An entry the Go processor wrote has only its value: no reason, no first failure. */
const NO_METADATA = "(no metadata: written by the Go processor)";

const isGoEntry = (entry: EntrySummary) => entry.reason === null && entry.firstFailedAt === null;

export function entriesTable(items: readonly EntrySummary[], now: Date, width: number): string[] {
  const columns: Column<EntrySummary>[] = [
    { header: "KEY", value: (entry) => entry.key },
    { header: "PIPELINE", value: (entry) => entry.pipeline },
    { header: "ATTEMPTS", value: (entry) => String(entry.attempts), align: "right" },
    // The Go processor's entries have an estimated last failure (from their TTL): marked with ~.
    { header: "LAST FAILURE", value: (entry) => `${isGoEntry(entry) ? "~" : ""}${relativeTime(entry.lastFailedAt, now)}` },
    { header: "REASON", value: (entry) => entry.reason ?? NO_METADATA, fit: true },
  ];
  return renderTable(columns, items, width);
}

/** The line under a listing: how many matched, and how to see the rest. */
export function entriesFooter(page: EntryPage, nextPage: (cursor: string) => string): string {
  if (page.items.length === 0) return page.matched === 0 ? "no entry matches" : `none on this page of ${page.matched} matched`;
  const shown = `${page.items.length} of ${page.matched} matched`;
  return page.nextCursor ? `${shown}; next page: ${nextPage(page.nextCursor)}` : shown;
}

/** Every field of one entry, then its payload: JSON pretty-printed, other text as it is. */
export function entryView(key: string, entry: StoredEntry, now: Date): string[] {
  const rows: [string, string][] = [["key", key]];
  const meta = entry.meta;
  if (meta) {
    rows.push(["pipeline", meta.pipeline], ["event", `${meta.eventId} (${meta.eventType})`], ["topic", `${meta.topic} (record key ${meta.recordKey})`]);
    const headers = Object.entries(meta.headers ?? {});
    if (headers.length > 0) rows.push(["headers", headers.map(([name, value]) => `${name}=${value}`).join(", ")]);
    rows.push(
      ["reason", meta.reason],
      ["attempts", String(meta.attempts)],
      ["first failed", `${meta.firstFailedAt} (${relativeTime(meta.firstFailedAt, now)})`],
      ["last failed", `${meta.lastFailedAt} (${relativeTime(meta.lastFailedAt, now)})`],
      ["replayable", meta.replayable ? "yes" : "no: its payload cannot be mapped; fix it at the backend, then dlq rm it"],
    );
  } else {
    rows.push(["metadata", "none: written by the Go processor (the value alone)"]);
  }
  const expires =
    entry.expiresInSeconds === null
      ? "never (no TTL)"
      : `in ${spanText(entry.expiresInSeconds * 1000)} (${new Date(now.getTime() + entry.expiresInSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")})`;
  rows.push(["expires", expires]);
  const labelWidth = Math.max(...rows.map(([label]) => label.length)) + 1;
  const lines = rows.map(([label, value]) => `${`${label}:`.padEnd(labelWidth)}  ${printable(value)}`);
  lines.push("payload:", ...payloadText(entry.item).split("\n"));
  return lines;
}

/** The stored JSON indented by two, or the stored text when it was not JSON. */
export function payloadText(item: unknown): string {
  if (typeof item === "string") return printableBlock(item);
  return JSON.stringify(item, null, 2);
}

/** Text of several lines safe to print: control characters other than line breaks and tabs dropped. */
function printableBlock(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "");
}

/** What one retry did, in one line. */
export function retriedLine(key: string, answer: RetryAnswer): string {
  const delivery = answer.generated ? "study material generated and saved" : answer.published ? "published" : "already delivered earlier, not published again";
  const mark = answer.marked === "SENT" ? "outbox row marked SENT" : "the outbox row was already gone at the backend";
  return `retried ${key}: ${delivery}; ${mark}; entry removed`;
}
