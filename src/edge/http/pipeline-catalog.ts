/**
 * Every pipeline whose DLQ entries the API addresses (running here or not), with what GET
 * /pipelines and the retry answers say of it: its source and sink kinds and where it is declared.
 */
import type { HoBomPipeline } from "../../hobom/pipeline.ts";
import type { Declaration } from "../../pipelines/file.ts";
import type { CatalogEntry } from "./dlq-key.ts";

export interface PipelineEntry extends CatalogEntry {
  readonly source: string;
  readonly sink: string;
  readonly declared: "built-in" | "HOBOM_PIPELINES_FILE";
}

/** The built-in HoBom pipelines (gRPC outbox into Kafka; law into the LLM study-material sink), then the declared ones. */
export function pipelineCatalog(builtIn: readonly HoBomPipeline[], declarations: readonly Declaration[]): PipelineEntry[] {
  return [
    ...builtIn.map((row) => ({
      name: row.name,
      dlqPrefix: row.dlqPrefix,
      source: "grpc-outbox",
      sink: row.kind === "law" ? "study-material" : "kafka",
      declared: "built-in" as const,
    })),
    ...declarations.map((declaration) => ({
      name: declaration.name,
      dlqPrefix: declaration.dlqPrefix,
      source: declaration.source.kind,
      sink: declaration.sink.kind,
      declared: "HOBOM_PIPELINES_FILE" as const,
    })),
  ];
}
