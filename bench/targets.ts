/** The targets for a 2-core machine, and whether a run met them and by how much. */
import { num } from "./format.ts";

export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
  /** "met by 12 %" / "missed by 1,234 ev/s (25 %)". */
  readonly margin: string;
}

/** A "higher is better" target. */
export function atLeast(target: string, value: number, limit: number, unit: string, measured: string): Verdict {
  if (!Number.isFinite(value)) return { target, measured: "not measured", met: undefined, margin: "" };
  const met = value >= limit;
  const gap = Math.abs(value - limit);
  return { target, measured, met, margin: `${met ? "met, above by" : "missed by"} ${num(gap)} ${unit} (${num((gap / limit) * 100, 2)} %)` };
}

/** A "lower is better" target: at most `limit`, or below it when `strict`. */
export function atMost(target: string, value: number, limit: number, unit: string, measured: string, strict = false): Verdict {
  if (Number.isNaN(value)) return { target, measured: "not measured", met: undefined, margin: "" };
  if (value === Number.POSITIVE_INFINITY) return { target, measured, met: false, margin: "missed: some rows were never delivered" };
  const met = strict ? value < limit : value <= limit;
  const gap = Math.abs(value - limit);
  return { target, measured, met, margin: `${met ? "met, below by" : "missed by"} ${num(gap)} ${unit} (${num((gap / limit) * 100, 2)} %)` };
}
