/** The DLQ gauges, from the index (a script per prefix that also prunes expired members), set before each scrape: no keyspace SCAN. */
import type { PrometheusMetrics } from "../../observability/metrics.ts";
import type { DlqIndex } from "../../state/dlq-index.ts";

/** Entries whose expiry is closer than this count as expiring soon. */
export const EXPIRING_SOON_MS = 24 * 3600 * 1000;

export async function refreshDlqMetrics(params: {
  index: DlqIndex;
  namespace: string;
  /** DLQ prefixes without the namespace. */
  prefixes: readonly string[];
  metrics: Pick<PrometheusMetrics, "dlqEntries" | "dlqOldestAge" | "dlqExpiringSoon">;
  now?: () => number;
}): Promise<void> {
  const { index, metrics } = params;
  const now = (params.now ?? Date.now)();
  await Promise.all(
    params.prefixes.map(async (dlqPrefix) => {
      const stats = await index.stats(dlqPrefix, now, now + EXPIRING_SOON_MS);
      const prefix = `${params.namespace}${dlqPrefix}`;
      metrics.dlqEntries.set({ prefix }, stats.entries);
      metrics.dlqOldestAge.set({ prefix }, stats.oldestFailedAt === undefined ? 0 : Math.max(0, Math.round((now - stats.oldestFailedAt) / 1000)));
      metrics.dlqExpiringSoon.set({ prefix }, stats.expiringSoon);
    }),
  );
}
