/**
 * Replaying a DLQ entry through its pipeline's own codec and sink, exactly as the pipeline would
 * have delivered it, then settling it at its source as delivered and deleting the entry. Under a
 * lease of the entry's own (the lease store the pipelines use), so two retries of one entry
 * deliver once; a retry whose delivery is already recorded only settles and deletes; the entry is
 * kept whenever the retry did not complete.
 */
import type { Logger } from "../observability/logger.ts";
import { BreakerOpenError, DependencyError, DestinationError, describeError, SinkUnavailableError } from "./errors.ts";
import type { RelayMetrics } from "./metrics.ts";
import type { Pipeline } from "./pipeline.ts";
import type { DeliveryLedger, DeliveryOutcome, LeaseStore, ReplayEntry } from "./ports.ts";

/** A DLQ entry as the replay reads it. */
export interface StoredLetter {
  readonly key: string;
  /** The stored bytes, exactly. */
  readonly value: string;
  /** What the relay recorded beside it; null for entries the Go processor wrote (value only). */
  readonly meta: {
    readonly eventId: string;
    readonly eventType: string;
    readonly reason: string;
    readonly replayable: boolean;
    readonly topic: string;
    readonly recordKey: string;
    readonly headers?: Readonly<Record<string, string>>;
  } | null;
}

/** Where the replay reads and deletes entries. */
export interface LetterStore {
  /** The entry, or undefined when there is none. */
  get(key: string): Promise<StoredLetter | undefined>;
  /** Deletes it; false when it was gone already. */
  remove(key: string): Promise<boolean>;
}

/** Why a replay did not complete; the edge turns the kind into its answer. The entry is kept. */
export class ReplayError extends Error {
  constructor(
    readonly kind: "not found" | "in progress" | "not replayable" | "upstream failed" | "unavailable",
    message: string,
    options: { cause?: unknown; dependency?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ReplayError";
    this.dependency = options.dependency;
  }
  /** For "unavailable": which dependency could not be reached. */
  readonly dependency: string | undefined;
}

export interface ReplayResult {
  readonly key: string;
  /** False when the delivery was already recorded and only the settle was needed. */
  readonly delivered: boolean;
  /** "gone" when the source no longer had the event (cleaned up, or already final). */
  readonly settled: "done" | "gone";
}

export interface ReplayDependencies {
  readonly letters: LetterStore;
  readonly ledger: DeliveryLedger;
  readonly leases: LeaseStore;
  /** Long enough for the slowest delivery (a law replay: every Generate attempt at its deadline). */
  readonly lockTtlMs: number;
  readonly log: Logger;
  /** Counts each completed replay as `replayed` of its pipeline. */
  readonly metrics: Pick<RelayMetrics, "rows">;
}

/**
 * Replays `key` of `pipeline` (the entry's pipeline, running here); `idInKey` is the text after
 * the pipeline's prefix (the eventId, or its digest: the metadata names the eventId then).
 */
export function createReplayer(deps: ReplayDependencies) {
  const { log } = deps;
  return async function replay(pipeline: Pipeline, key: string, idInKey: string): Promise<ReplayResult> {
    const lock = `dlq-retry:${key}`;
    const token = crypto.randomUUID();
    if (!(await deps.leases.acquire(lock, token, deps.lockTtlMs))) {
      throw new ReplayError("in progress", "another retry of this entry is running; try again when it has finished");
    }
    try {
      const letter = await deps.letters.get(key);
      if (!letter) throw new ReplayError("not found", "DLQ not found");
      if (letter.meta && !letter.meta.replayable) {
        throw new ReplayError("not replayable", `the entry holds the raw row (${letter.meta.reason}); fix the row at its backend, then DELETE the entry`);
      }
      const eventId = letter.meta?.eventId || idInKey;
      const recorded = await deps.ledger.delivered(pipeline.name, [eventId]);
      const delivered = !recorded.has(eventId);
      if (delivered) {
        await deliver(pipeline, {
          eventId,
          eventType: letter.meta?.eventType ?? "",
          value: letter.value,
          destination: letter.meta?.topic,
          recordKey: letter.meta?.recordKey,
          headers: letter.meta?.headers,
        });
        await deps.ledger.record(pipeline.name, [eventId]).catch((error) => log.warn("replayed, but could not record the delivery", { key, error }));
      }
      let settled: ReplayResult["settled"];
      try {
        settled = await pipeline.source.redelivered([eventId]);
      } catch (error) {
        throw new ReplayError(
          "upstream failed",
          `${delivered ? "delivered, but " : ""}settling it at its source failed: ${describeError(error)}; the entry is kept and the next retry only settles`,
          { cause: error },
        );
      }
      await deps.letters.remove(key);
      deps.metrics.rows("replayed", pipeline.name, 1);
      log.info("DLQ entry retried and removed", { key, pipeline: pipeline.name, eventId, delivered, settled });
      return { key, delivered, settled };
    } finally {
      await deps.leases.release(lock, token).catch((error) => log.warn("could not release a DLQ retry lock; it expires by itself", { key, error }));
    }
  };
}

/** One message through the pipeline's sink; any failure is a ReplayError. */
async function deliver(pipeline: Pipeline, entry: ReplayEntry): Promise<void> {
  let message: unknown;
  try {
    message = pipeline.codec.replay(entry);
  } catch (error) {
    throw new ReplayError("not replayable", describeError(error), { cause: error });
  }
  let outcome: DeliveryOutcome | undefined;
  try {
    [outcome] = await pipeline.sink.deliver([message], NEVER);
  } catch (error) {
    if (error instanceof BreakerOpenError || error instanceof SinkUnavailableError || error instanceof DestinationError) {
      throw new ReplayError("unavailable", describeError(error.cause ?? error), { cause: error, dependency: error.dependency });
    }
    throw new ReplayError("upstream failed", describeError(error), { cause: error });
  }
  if (!outcome || outcome.ok) return;
  // Its destination cannot take it now (a partition's leader is away): it may later.
  if (outcome.kind === "deferred") {
    const dependency = outcome.error instanceof DependencyError ? outcome.error.dependency : "sink";
    throw new ReplayError("unavailable", describeError(outcome.error), { cause: outcome.error, dependency });
  }
  throw new ReplayError("upstream failed", describeError(outcome.error), { cause: outcome.error });
}

/** A replay is one request's work: nothing stops it half-way. */
const NEVER = new AbortController().signal;
