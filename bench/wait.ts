/** Polling for a condition with a deadline: how the workloads notice "all rows SENT". */

/**
 * Resolves with the wall-clock ms at which `condition` first held (checked every `everyMs`), or
 * rejects after `timeoutMs` with `describe()`.
 */
export async function waitFor(condition: () => boolean, timeoutMs: number, describe: () => string, everyMs = 10): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (condition()) return performance.timeOrigin + performance.now();
    if (performance.now() > deadline) throw new Error(`not done within ${timeoutMs / 1000} s: ${describe()}`);
    await Bun.sleep(everyMs);
  }
}
