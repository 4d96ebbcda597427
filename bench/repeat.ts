/**
 * Runs a measurement after an optional warm-up, `reps` times, each after the machine has been
 * quiet for a moment (see machine.ts), with progress on stderr.
 */
import { num } from "./format.ts";
import { waitForQuietMachine } from "./machine.ts";

/** Before a repetition: wait up to this long for the other work on the machine to calm down. */
const QUIET_WAIT_MS = 5_000;
const QUIET_CORES = 0.4;

export function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export async function repeat<T>(params: {
  label: string;
  reps: number;
  /** A discarded run first (JIT, broker, page cache). */
  warmup?: () => Promise<unknown>;
  run: (rep: number) => Promise<T>;
  /** One line about a finished repetition, for the progress log. */
  describe: (result: T) => string;
}): Promise<T[]> {
  if (params.warmup) {
    progress(`${params.label}: warm-up`);
    await params.warmup();
  }
  const results: T[] = [];
  for (let rep = 1; rep <= params.reps; rep++) {
    const background = await waitForQuietMachine(QUIET_WAIT_MS, QUIET_CORES);
    if (background >= QUIET_CORES) progress(`${params.label}: the machine stayed busy (${num(background, 2)} cores besides the bench); measuring anyway`);
    const result = await params.run(rep);
    progress(`${params.label}: ${rep}/${params.reps} ${params.describe(result)}`);
    results.push(result);
  }
  return results;
}
