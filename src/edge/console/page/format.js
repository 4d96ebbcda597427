// How times, ages and stored values are written on the page.
import { el } from "./dom.js";

const UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1000],
];

/** "3 h 12 min" for a duration in milliseconds: the two largest units, whole numbers. */
export function duration(ms) {
  const parts = [];
  let left = Math.max(0, Math.round(ms));
  for (const [unit, size] of UNITS) {
    const count = Math.floor(left / size);
    if (count > 0 || (parts.length === 0 && unit === "s")) parts.push(`${count} ${unit}`);
    left -= count * size;
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** "2026-12-01 10:00:00 UTC". */
export function utc(date) {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A <time> with the UTC time and how long ago (or how far ahead) it is; "—" when there is none. */
export function timeCell(iso, now = Date.now()) {
  if (iso === null || iso === undefined || iso === "") return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const offset = now - date.getTime();
  const relative = offset >= 0 ? `${duration(offset)} ago` : `in ${duration(-offset)}`;
  return el("time", { datetime: date.toISOString() }, `${utc(date)} (${relative})`);
}

/** A stored value for a <pre>: JSON indented by two spaces; text as it is. */
export function pretty(value) {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

/** "—" for what is missing, the text of anything else. */
export function orDash(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

const GOOD = new Set(["healthy", "owned", "succeeded", "retried", "ok"]);
const BAD = new Set(["unhealthy", "failing", "failed", "abandoned", "refused"]);

/** A state word in a colour that repeats what the word says (the word alone says it all). */
export function stateWord(text) {
  return el("span", { class: GOOD.has(text) ? "state-ok" : BAD.has(text) ? "state-bad" : "state-warn" }, orDash(text));
}
