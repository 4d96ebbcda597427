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

async function quietMoment(label: string): Promise<void> {
  const background = await waitForQuietMachine(QUIET_WAIT_MS, QUIET_CORES);
  if (background >= QUIET_CORES) progress(`${label}: the machine stayed busy (${num(background, 2)} cores besides the bench); measuring anyway`);
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
    await quietMoment(params.label);
    const result = await params.run(rep);
    progress(`${params.label}: ${rep}/${params.reps} ${params.describe(result)}`);
    results.push(result);
  }
  return results;
}

/**
 * {@link repeat} for variants compared side by side: each repetition runs every variant once, in
 * turn, so that a machine that drifts during the run (a broker compacting, the page cache) weighs
 * on every variant alike instead of on whichever ran last.
 */
export async function repeatSideBySide<K extends string, T>(params: {
  reps: number;
  warmup?: () => Promise<unknown>;
  variants: Record<K, { label: string; run: () => Promise<T> }>;
  describe: (result: T) => string;
}): Promise<Record<K, T[]>> {
  const variants = Object.entries(params.variants) as [K, { label: string; run: () => Promise<T> }][];
  if (params.warmup) {
    progress(`${variants.map(([, variant]) => variant.label).join(" / ")}: warm-up`);
    await params.warmup();
  }
  const results = Object.fromEntries(variants.map(([key]) => [key, [] as T[]])) as Record<K, T[]>;
  for (let rep = 1; rep <= params.reps; rep++) {
    for (const [key, variant] of variants) {
      await quietMoment(variant.label);
      const result = await variant.run();
      progress(`${variant.label}: ${rep}/${params.reps} ${params.describe(result)}`);
      results[key].push(result);
    }
  }
  return results;
}
