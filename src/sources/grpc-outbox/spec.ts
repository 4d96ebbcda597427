/** What a gRPC outbox source is told: where its rows are found and where they are marked. */
import type { ServiceKey } from "../../grpc/protos.ts";

/** Where a pipeline's rows come from: one Find rpc, asked once per event type each poll. */
export interface FindSpec {
  /** The connection of the channels the source is given. */
  readonly connection: string;
  readonly service: ServiceKey;
  readonly method: string;
  readonly eventTypes: readonly string[];
  /** The most rows the backend returns per Find; a full page means "poll again at once". */
  readonly pageLimit?: number;
}

/** Where a pipeline's rows are marked SENT or FAILED. */
export interface MarkSpec {
  readonly connection: string;
  readonly service: ServiceKey;
}

export interface GrpcOutboxSpec {
  readonly find: FindSpec;
  readonly mark: MarkSpec;
}
