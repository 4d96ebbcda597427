/** A pipeline's outbox on its backend, as the relay's {@link OutboxSource} port. */
import { BackendCallError } from "../errors.ts";
import type { FindSpec, MarkSpec } from "../pipelines/pipeline.ts";
import type { OutboxSource, PendingRows } from "../relay/ports.ts";
import type { BackendChannels } from "./channels.ts";

const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const MARK_FAILED = "PatchOutboxMarkAsFailedUseCase";

/** The relay asks only for rows that are still to be delivered. */
const PENDING = "PENDING";

export function createOutboxSource(params: {
  channels: BackendChannels;
  find: FindSpec;
  mark: MarkSpec;
  findTimeoutMs: number;
  callTimeoutMs: number;
}): OutboxSource {
  const { channels, find, mark } = params;
  return {
    async findPending(eventType, signal) {
      try {
        // The Find responses are decoded by find-decoder.ts (see loadFindDecoders).
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
