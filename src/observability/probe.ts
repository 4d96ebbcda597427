/** One dependency check: really talks to the dependency, with a deadline; never throws. */
import { withDeadline } from "../engine/deadline.ts";
import { describeError } from "../engine/errors.ts";

/** Resolves when the dependency answered; rejects with why it did not. */
export type Probe = () => Promise<void>;

export interface ProbeResult {
  readonly status: "healthy" | "unhealthy";
  readonly latencyMs: number;
  /** Why it did not answer, one line (ECONNREFUSED, ENOTFOUND, an authentication error, a timeout). */
  readonly error?: string;
}

export async function runProbe(probe: Probe, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  try {
    await withDeadline(probe(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    return { status: "healthy", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: "unhealthy", latencyMs: Math.round(performance.now() - started), error: describeError(error) };
  }
}
