/** A pipeline's outbox on its backend, as the relay's {@link OutboxSource} port. */
import type { OutboxRow } from "./wire-types.ts";
import type { FindSpec, MarkSpec } from "../pipelines/pipeline.ts";
import type { OutboxSource } from "../relay/ports.ts";
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
      const response = await channels.call<{ items: OutboxRow<unknown>[] }>(
        find.connection,
        find.service,
        find.method,
        { eventType, status: PENDING },
        { timeoutMs: params.findTimeoutMs, signal },
      );
      return response.items ?? [];
    },
    async markSent(eventId) {
      await channels.call(mark.connection, mark.service, MARK_SENT, { eventId }, { timeoutMs: params.callTimeoutMs });
    },
    async markFailed(eventId, reason) {
      await channels.call(mark.connection, mark.service, MARK_FAILED, { eventId, errorMessage: reason }, { timeoutMs: params.callTimeoutMs });
    },
  };
}
