/**
 * What a HoBom pipeline is: one row of the table in `pipelines.ts`. A row says where its rows are
 * found and marked (the gRPC outbox source), how a row becomes what its sink takes (`kind`: one
 * Kafka record per event, one log array per slice, or the law payload for the study-material sink),
 * and which DLQ prefix catches what can never be delivered.
 */
import type { ConnectionName, TopicRole } from "../config/config.ts";
import type { FindSpec as GrpcFindSpec, MarkSpec as GrpcMarkSpec } from "../sources/grpc-outbox/spec.ts";
import type { OutboxRow } from "./wire-types.ts";

export type PipelineName = "message" | "log" | "space" | "space-log" | "law" | "angel" | "angel-log";

/** The backends whose outboxes the relay polls (the LLM serves no outbox). */
export type OutboxConnection = Exclude<ConnectionName, "llm">;

/** Where a pipeline's rows come from: one Find rpc, asked once per event type each cycle. */
export interface FindSpec extends GrpcFindSpec {
  readonly connection: OutboxConnection;
}

/** Where a pipeline's rows are marked SENT or FAILED. */
export interface MarkSpec extends GrpcMarkSpec {
  readonly connection: OutboxConnection;
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
  /** The value names its event type (`"eventType"`): a DLQ entry the Go processor wrote is replayed with it. */
  readonly eventTypeInValue?: true;
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

export type HoBomPipeline = EventPipeline | LogPipeline | LawPipeline;
