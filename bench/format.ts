/** Text output: numbers with a sensible number of digits, "median (min–max)", aligned tables. */
import type { Spread } from "./stats.ts";

/**
 * A number for a table: integers and values ≥ 1,000 as grouped integers, others with `digits`
 * significant digits; "∞" for Infinity (e.g. a latency of a row never delivered), "–" for NaN.
 */
export function num(value: number, digits = 3): string {
  if (value === Number.POSITIVE_INFINITY) return "∞";
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString("en-US");
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return value.toFixed(Math.min(decimals, 3));
}

/** "median (min–max)", or just the value when there was one repetition. */
export function med(value: Spread, digits = 3): string {
  if (value.n <= 1 || value.min === value.max) return num(value.median, digits);
  return `${num(value.median, digits)} (${num(value.min, digits)}–${num(value.max, digits)})`;
}

/** An aligned text table; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [index, cell] of row.entries()) widths[index] = Math.max(widths[index] ?? 0, cell.length);
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join("  ")
      .trimEnd();
  const [header, ...body] = rows;
  if (!header) return "";
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...body.map(line)].join("\n");
}
