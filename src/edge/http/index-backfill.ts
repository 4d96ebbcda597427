/**
 * The DLQ index's one backfill at start (src/state/dlq-backfill.ts), in the background: logged
 * with its counts when done; while Redis cannot be reached it is tried again every `retryMs` (the
 * first failure logged, the rest at debug: the Redis outage has its own log lines).
 */
import { sleep } from "../../engine/sleep.ts";
import type { Logger } from "../../observability/logger.ts";
import type { BackfillReport } from "../../state/dlq-backfill.ts";

export async function backfillAtStart(params: { run: () => Promise<BackfillReport>; log: Logger; signal: AbortSignal; retryMs?: number }): Promise<void> {
  const { log, signal } = params;
  const retryMs = params.retryMs ?? 5000;
  for (let attempt = 1; !signal.aborted; attempt++) {
    const started = performance.now();
    try {
      const report = await params.run();
      log.info("DLQ index backfilled", { ...report, ms: Math.round(performance.now() - started) });
      return;
    } catch (error) {
      if (attempt === 1) log.warn("DLQ index backfill failed; trying again until it succeeds", { error, retryInMs: retryMs });
      else log.debug("DLQ index backfill failed again", { error, attempt });
    }
    await sleep(retryMs, signal);
  }
}
