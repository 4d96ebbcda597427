/** What a pipeline is: one row of the table in `table.ts`. */
import type { ConnectionName, TopicRole } from "../config/config.ts";
import type { ServiceKey } from "../grpc/protos.ts";
import type { OutboxRow } from "../grpc/wire-types.ts";

export type PipelineName = "message" | "log" | "space" | "space-log" | "law" | "angel" | "angel-log";

/** The backends whose outboxes the relay polls (the LLM serves no outbox). */
export type OutboxConnection = Exclude<ConnectionName, "llm">;

/** Where a pipeline's rows come from: one Find rpc, asked once per event type each cycle. */
export interface FindSpec {
  readonly connection: OutboxConnection;
  readonly service: ServiceKey;
  readonly method: string;
  readonly eventTypes: readonly string[];
  /** The most rows the backend returns per Find; a full page means "poll again at once". */
  readonly pageLimit?: number;
}

/** Where a pipeline's rows are marked SENT or FAILED. */
export interface MarkSpec {
  readonly connection: OutboxConnection;
  readonly service: ServiceKey;
}

interface PipelineBase {
  readonly name: PipelineName;
  /** The pipeline runs only when every one of these connections is configured. */
  readonly needs: readonly ConnectionName[];
  readonly find: FindSpec;
  readonly mark: MarkSpec;
  /** Redis key prefix of this pipeline's DLQ entries (before the configured namespace). */
  readonly dlqPrefix: string;
  /** The backend the rows come from, sent as the `source` header. */
  readonly source: string;
}

/** One Kafka record per row, keyed by eventId. */
export interface EventPipeline extends PipelineBase {
  readonly kind: "event";
  readonly topic: TopicRole;
  /** The Kafka value of a row whose payload is present; throws MappingError when it cannot. */
  readonly toValue: (row: OutboxRow<unknown> & { payload: unknown }, now: Date) => Record<string, unknown>;
}

/** One JSON array of log commands per cycle, split into records that fit the size limit. */
export interface LogPipeline extends PipelineBase {
  readonly kind: "log";
  readonly topic: TopicRole;
  /** Records are keyed `<keyPrefix>-<nanosecond timestamp>`. */
  readonly keyPrefix: string;
  readonly toItem: (row: OutboxRow<unknown> & { payload: unknown }) => Record<string, unknown>;
}

/** No Kafka: each row runs LLM Generate, then SaveStudyMaterial, then mark SENT. */
export interface LawPipeline extends PipelineBase {
  readonly kind: "law";
}

export type Pipeline = EventPipeline | LogPipeline | LawPipeline;
