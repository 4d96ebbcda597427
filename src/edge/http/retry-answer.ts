/** What the API answers for one replayed entry (`POST /dlq/retry/:key`, a job's items), from what the replay did. */
import type { ReplayResult } from "../../engine/replay.ts";

/** Sink kinds that deliver by generating something (the law pipeline's LLM), not by publishing a record. */
const GENERATING_SINKS: ReadonlySet<string> = new Set(["study-material"]);

export interface RetryAnswer {
  readonly message: string;
  /** A record went to Kafka (or the pipeline's message sink) on this retry. */
  readonly published: boolean;
  /** Pipelines whose sink generates (law): the material was generated and saved on this retry. */
  readonly generated?: boolean;
  /** SENT, or gone when the source no longer had the row. */
  readonly marked: "SENT" | "gone";
}

export function retryAnswer(result: ReplayResult, sinkKind: string | undefined): RetryAnswer {
  const marked = result.settled === "done" ? "SENT" : "gone";
  const message = "DLQ retried and removed from Redis";
  if (sinkKind !== undefined && GENERATING_SINKS.has(sinkKind)) return { message, published: false, generated: result.delivered, marked };
  return { message, published: result.delivered, marked };
}
