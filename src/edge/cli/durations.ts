/** Ages as the command line reads them (`--older-than 2h`) and prints them (`3h12m ago`). */
import { UsageError } from "./args.ts";

/** The API's duration form: a whole number and a unit, 30s, 15m, 2h or 7d. */
const AGE = /^[1-9]\d{0,5}[smhd]$/;

/** The value, checked here so that a typo is a usage error before any request is sent. */
export function checkAge(option: string, value: string): string {
  if (!AGE.test(value)) throw new UsageError(`${option} ${JSON.stringify(value)} is not an age; write a whole number and s, m, h or d, e.g. 30s, 15m, 2h, 7d`);
  return value;
}

/** A span of time in at most two units: 45s, 12m, 3h12m, 2d3h. */
export function spanText(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
}

/** `3h12m ago` (or `in 2d3h` for a time to come); `-` for none or a time that does not parse. */
export function relativeTime(iso: string | null | undefined, now: Date): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(at)) return "-";
  const delta = now.getTime() - at;
  return delta >= 0 ? `${spanText(delta)} ago` : `in ${spanText(-delta)}`;
}
