/** One pipeline's outbox on its backend: the Find of PENDING rows, and the two marks. */
import type { BackendChannels } from "../../grpc/channels.ts";
import { BackendCallError } from "../../grpc/status.ts";
import type { PendingRows } from "./find-decoder.ts";
import type { FindSpec, MarkSpec } from "./spec.ts";

const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const MARK_FAILED = "PatchOutboxMarkAsFailedUseCase";

/** The relay asks only for rows that are still to be delivered. */
const PENDING = "PENDING";

/** Errors are BackendCallErrors. */
export interface OutboxClient {
  /** Every PENDING row of one event type, in the backend's order. */
  findPending(eventType: string, signal?: AbortSignal): Promise<PendingRows>;
  /** Marks one row SENT. */
  markSent(eventId: string): Promise<void>;
  /** Marks one row FAILED with the reason; the backend then never returns it again. */
  markFailed(eventId: string, reason: string): Promise<void>;
}

export function createOutboxClient(params: {
  channels: BackendChannels;
  find: FindSpec;
  mark: MarkSpec;
  findTimeoutMs: number;
  callTimeoutMs: number;
}): OutboxClient {
  const { channels, find, mark } = params;
  return {
    async findPending(eventType, signal) {
      try {
        // The Find responses are decoded by find-decoder.ts (the channels are given its decoders).
        const response = await channels.call<{ items: PendingRows }>(
          find.connection,
          find.service,
          find.method,
          { eventType, status: PENDING },
          { timeoutMs: params.findTimeoutMs, signal },
        );
        return response.items;
      } catch (error) {
        // The Finds have no limit: a backlog past the receive limit fails every Find until raised.
        if (error instanceof BackendCallError && error.code === "RESOURCE_EXHAUSTED") {
          throw new BackendCallError(
            error.backend,
            error.method,
            error.code,
            `${(error.cause as { details?: string }).details ?? ""}; the ${eventType} backlog no longer fits in one response: raise HOBOM_GRPC_MAX_RECEIVE_BYTES`,
            { retriable: true, cause: error },
          );
        }
        throw error;
      }
    },
    async markSent(eventId) {
      await channels.call(mark.connection, mark.service, MARK_SENT, { eventId }, { timeoutMs: params.callTimeoutMs });
    },
    async markFailed(eventId, reason) {
      await channels.call(mark.connection, mark.service, MARK_FAILED, { eventId, errorMessage: reason }, { timeoutMs: params.callTimeoutMs });
    },
  };
}
