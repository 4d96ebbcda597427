/**
 * The kinds of source and sink a pipelines file may name, one row each: how a declaration's block
 * is read (with the problems it has) and how the part is built. Adding a kind is one folder under
 * src/sources/ or src/sinks/ and one row here.
 */
import { type KafkaKindDependencies, kafkaKind } from "../sinks/kafka/kind.ts";
import { type GrpcOutboxDependencies, grpcOutboxKind } from "../sources/grpc-outbox/kind.ts";
import { type SqlOutboxDependencies, sqlOutboxKind } from "../sources/sql-outbox/kind.ts";

export const SOURCE_KINDS = { "grpc-outbox": grpcOutboxKind, "sql-outbox": sqlOutboxKind } as const;
export const SINK_KINDS = { kafka: kafkaKind } as const;

export type SourceKindName = keyof typeof SOURCE_KINDS;
export type SinkKindName = keyof typeof SINK_KINDS;

/** What the kinds share in a process: one entry per kind, built by main. */
export interface KindDependencies {
  readonly "grpc-outbox": GrpcOutboxDependencies;
  readonly "sql-outbox": SqlOutboxDependencies;
  readonly kafka: KafkaKindDependencies;
}
