/**
 * Who changed what in the DLQ, and every refused api key: each record is a log line (`info` for
 * successes and dry runs, `warn` for refusals and failures) and an entry of the audit stream
 * (src/state/audit-log.ts), with the same fields. Storing it never fails the request it records:
 * a store that fails is logged. Refusals are stored at most `refusalsPerSecond` a second, so a
 * scanner cannot flood the stream; each one is still logged.
 */
import type { Logger } from "../../observability/logger.ts";
import type { AuditLog, AuditRecord } from "../../state/audit-log.ts";
import type { Actor } from "./api-key.ts";

/** The actions the trail records. */
export type AuditAction = "dlq.retry" | "dlq.delete" | "dlq.bulk-retry" | "dlq.bulk-retry.dry-run" | "dlq.job.cancel" | "auth.refused";

export interface AuditTrail {
  record(entry: Omit<AuditRecord, "at" | "action"> & { action: AuditAction }): Promise<void>;
  /** A request refused for its api key. */
  refused(refusal: { actor: Actor; detail: string; route: string }): void;
}

export function createAuditTrail(params: { log: Logger; store: AuditLog; now?: () => Date; refusalsPerSecond?: number }): AuditTrail {
  const { log, store, now = () => new Date() } = params;
  const limit = params.refusalsPerSecond ?? 10;
  let second = 0;
  let storedThisSecond = 0;

  const write = async (record: AuditRecord, stored: boolean) => {
    const fields = { ...record, ...(stored ? {} : { stored: false }) };
    if (record.outcome === "ok" || record.outcome === "dry-run") log.info("audit", fields);
    else log.warn("audit", fields);
    if (!stored) return;
    try {
      await store.append(record);
    } catch (error) {
      log.warn("audit entry not stored; the log line above is its only record", { action: record.action, target: record.target, error });
    }
  };

  return {
    record: (entry) => write({ ...entry, at: now().toISOString() }, true),
    refused(refusal) {
      const at = now();
      const thisSecond = Math.floor(at.getTime() / 1000);
      if (thisSecond !== second) {
        second = thisSecond;
        storedThisSecond = 0;
      }
      const stored = storedThisSecond < limit;
      if (stored) storedThisSecond++;
      void write(
        { at: at.toISOString(), actor: refusal.actor, action: "auth.refused", target: refusal.route, outcome: "refused", status: 401, detail: refusal.detail },
        stored,
      );
    },
  };
}
