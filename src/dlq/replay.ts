/**
 * Replaying a DLQ entry: publish it again (law: run the orchestration again), mark the row SENT on
 * its backend, delete the entry. Under a per-entry lock, so two retries of one key publish once;
 * a retry whose delivery is already recorded only marks and deletes; the entry is kept whenever
 * the retry did not complete.
 */
import type { Topics } from "../config/config.ts";
import { describeError, KafkaSendError, KafkaTopicError, KafkaUnavailableError } from "../errors.ts";
import type { LawChangedPayload } from "../grpc/wire-types.ts";
import type { Logger } from "../observability/logger.ts";
import type { Pipeline } from "../pipelines/pipeline.ts";
import { generateMaterial, type LawSteps, saveMaterial } from "../relay/law-steps.ts";
import type { DeliveryLedger, EventSink, OutboxSource } from "../relay/ports.ts";
import { markFoundNothing } from "../relay/settle.ts";
import { DlqError, kafkaUnavailable, notReplayable, retryInProgress, upstreamFailed } from "./dlq-errors.ts";
import type { DlqEntries, StoredEntry } from "./dlq-entries.ts";
import { parseDlqKey } from "./dlq-key.ts";
import type { KeyScheme } from "../redis/keys.ts";
import type { Redis } from "../redis/client.ts";

/** KEYS[1] lock, ARGV[1] token. Deletes the lock only if this retry still holds it. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface RetryResult {
  readonly key: string;
  /** False when the delivery was already recorded and only the mark was needed. */
  readonly published: boolean;
  /** "gone" when the backend had no such row (cleaned up) or it was already final. */
  readonly marked: "SENT" | "gone";
}

export interface ReplayService {
  retry(key: string): Promise<RetryResult>;
}

export interface ReplayDependencies {
  readonly redis: Redis;
  readonly keys: KeyScheme;
  readonly entries: DlqEntries;
  readonly ledger: DeliveryLedger;
  readonly sink: EventSink;
  readonly topics: Topics;
  /** The outbox of an enabled pipeline; undefined when its backend is not configured. */
  readonly sourceFor: (pipeline: Pipeline) => OutboxSource | undefined;
  /** Undefined when no LLM is configured: law entries cannot be replayed then. */
  readonly law?: LawSteps;
  readonly lockTtlMs: number;
  readonly log: Logger;
}

export function createReplayService(deps: ReplayDependencies): ReplayService {
  const { redis, keys, log } = deps;

  async function withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const lockKey = keys.dlqLock(key);
    const token = crypto.randomUUID();
    const acquired = await redis.send("SET", [lockKey, token, "NX", "PX", String(deps.lockTtlMs)]);
    if (acquired === null || acquired === undefined) throw retryInProgress();
    try {
      return await work();
    } finally {
      await redis.script(RELEASE_SCRIPT, [lockKey], [token]).catch((error) => log.warn("could not release a DLQ lock; it expires by itself", { key, error }));
    }
  }

  async function deliver(pipeline: Pipeline, eventId: string, entry: StoredEntry): Promise<void> {
    if (pipeline.kind === "law") {
      if (!deps.law) throw notReplayable("law entries need the LLM: set HOBOM_LLM_GRPC_ADDR");
      const payload = parseLawPayload(entry.value);
      let material;
      try {
        material = await generateMaterial(deps.law, payload);
      } catch (error) {
        throw upstreamFailed(`LLM Generate ${describeError(error)}`, error);
      }
      try {
        await saveMaterial(deps.law, payload, material);
      } catch (error) {
        throw upstreamFailed(`SaveStudyMaterial: ${describeError(error)}`, error);
      }
      return;
    }
    const record = {
      key: eventId,
      value: entry.value,
      headers: { "event-id": eventId, "event-type": eventTypeOf(pipeline, entry), source: pipeline.source },
    };
    try {
      const [outcome] = await deps.sink.send(deps.topics[pipeline.topic], [record]);
      if (outcome && !outcome.ok) throw outcome.error;
    } catch (error) {
      if (error instanceof KafkaUnavailableError) throw kafkaUnavailable(error.cause ?? error);
      // Its partition's leader, or its topic, cannot be reached now: Kafka may take it later.
      if ((error instanceof KafkaSendError && error.retriable) || error instanceof KafkaTopicError) throw kafkaUnavailable(error);
      if (error instanceof KafkaSendError) throw upstreamFailed(`Kafka refused the record: ${error.message}`, error);
      throw error;
    }
  }

  return {
    async retry(key) {
      const { pipeline, eventId: idInKey } = parseDlqKey(key, keys.namespace);
      const source = deps.sourceFor(pipeline);
      if (!source) throw notReplayable(`the ${pipeline.name} pipeline is not enabled: configure its backend address`);
      return withLock(key, async () => {
        const entry = await deps.entries.get(key);
        // The relay's metadata names the eventId also where the key holds only its digest.
        const eventId = entry.meta?.eventId || idInKey;
        if (entry.meta && !entry.meta.replayable) {
          throw notReplayable(`the entry holds the raw row (${entry.meta.reason}); fix the row at its backend, then DELETE the entry`);
        }
        const recorded = await deps.ledger.delivered(pipeline.name, [eventId]);
        const published = !recorded.has(eventId);
        if (published) {
          await deliver(pipeline, eventId, entry);
          await deps.ledger.record(pipeline.name, [eventId]).catch((error) =>
            log.warn("replayed, but could not record the delivery", { key, error }),
          );
        }
        let marked: RetryResult["marked"] = "SENT";
        try {
          await source.markSent(eventId);
        } catch (error) {
          if (!markFoundNothing(error)) {
            throw upstreamFailed(`${published ? "delivered, but " : ""}mark SENT failed: ${describeError(error)}; the entry is kept and the next retry only marks`, error);
          }
          marked = "gone";
        }
        await deps.entries.remove(key).catch((error) => {
          if (!(error instanceof DlqError)) throw error;
        });
        log.info("DLQ entry retried and removed", { key, pipeline: pipeline.name, eventId, published, marked });
        return { key, published, marked };
      });
    },
  };
}

/** The event-type header: from the relay's metadata, else the angel value's own field, else the pipeline's type. */
function eventTypeOf(pipeline: Pipeline, entry: StoredEntry): string {
  if (entry.meta?.eventType) return entry.meta.eventType;
  if (pipeline.name === "angel") {
    try {
      const eventType = (JSON.parse(entry.value) as { eventType?: unknown }).eventType;
      if (typeof eventType === "string") return eventType;
    } catch {
      // Not JSON: fall through to the pipeline's type.
    }
  }
  return pipeline.find.eventTypes[0] ?? "";
}

function parseLawPayload(value: string): LawChangedPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw notReplayable("the law entry is not JSON");
  }
  const candidate = parsed as Partial<LawChangedPayload>;
  if (typeof candidate?.diffId !== "string" || !Array.isArray(candidate.changes)) {
    throw notReplayable('the law entry is not {"diffId","changes":[…]}');
  }
  return {
    diffId: candidate.diffId,
    changes: candidate.changes.map((change) => ({
      articleNo: String(change?.articleNo ?? ""),
      changeType: String(change?.changeType ?? ""),
      before: String(change?.before ?? ""),
      after: String(change?.after ?? ""),
    })),
  };
}
