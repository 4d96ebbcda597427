import { describe, expect, test } from "bun:test";
import type { BackendChannels, CallOptions } from "../../../../src/grpc/channels.ts";
import { BackendCallError } from "../../../../src/grpc/status.ts";
import { PIPELINES } from "../../../../src/hobom/pipelines.ts";
import { createOutboxClient } from "../../../../src/sources/grpc-outbox/outbox-client.ts";

/** Channels that record every call and answer with `answer` (or throw what it throws). */
function stubChannels(answer: (method: string) => unknown = () => ({ items: { count: 0, decode: () => [] } })) {
  const calls: { connection: string; service: string; method: string; request: object; options: CallOptions }[] = [];
  const channels: BackendChannels = {
    async call<Res>(connection: string, service: string, method: string, request: object, options: CallOptions) {
      calls.push({ connection, service, method, request, options });
      return answer(method) as Res;
    },
    waitReady: async () => {},
    nameOf: (connection) => connection,
    close: () => {},
  };
  return { calls, channels };
}

const angel = PIPELINES.find((pipeline) => pipeline.name === "angel")!;
const client = (channels: BackendChannels) =>
  createOutboxClient({ channels, find: angel.find, mark: angel.mark, findTimeoutMs: 30_000, callTimeoutMs: 10_000 });

describe("createOutboxClient", () => {
  test("asks the pipeline's Find for the PENDING rows of one event type, with the Find deadline and the stop signal", async () => {
    const rows = { count: 2, decode: () => [] };
    const { calls, channels } = stubChannels(() => ({ items: rows }));
    const signal = new AbortController().signal;
    expect(await client(channels).findPending("FOSTER_APPROVED", signal)).toBe(rows);
    expect(calls).toEqual([
      {
        connection: "angel",
        service: "angelFind",
        method: "FindOutboxByEventTypeAndStatusUseCase",
        request: { eventType: "FOSTER_APPROVED", status: "PENDING" },
        options: { timeoutMs: 30_000, signal },
      },
    ]);
  });

  test("marks a row SENT, and FAILED with the reason, on the pipeline's mark service with the call deadline", async () => {
    const { calls, channels } = stubChannels(() => ({}));
    await client(channels).markSent("e1");
    await client(channels).markFailed("e2", "no payload");
    expect(calls).toEqual([
      { connection: "angel", service: "angelPatch", method: "PatchOutboxMarkAsSentUseCase", request: { eventId: "e1" }, options: { timeoutMs: 10_000 } },
      {
        connection: "angel",
        service: "angelPatch",
        method: "PatchOutboxMarkAsFailedUseCase",
        request: { eventId: "e2", errorMessage: "no payload" },
        options: { timeoutMs: 10_000 },
      },
    ]);
  });

  test("says what to raise when a backlog no longer fits in one Find response", async () => {
    const tooLarge = new BackendCallError(
      "for-hobom-angel-backend",
      "FindOutboxByEventTypeAndStatusUseCase",
      "RESOURCE_EXHAUSTED",
      "Received message larger than max (70000000 vs 67108864)",
      {
        retriable: true,
        cause: { details: "Received message larger than max (70000000 vs 67108864)" },
      },
    );
    const { channels } = stubChannels(() => {
      throw tooLarge;
    });
    const error = await client(channels)
      .findPending("ADOPTION_APPROVED")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendCallError);
    expect((error as BackendCallError).code).toBe("RESOURCE_EXHAUSTED");
    expect((error as BackendCallError).retriable).toBe(true);
    expect((error as BackendCallError).cause).toBe(tooLarge);
    expect((error as BackendCallError).message).toBe(
      "for-hobom-angel-backend FindOutboxByEventTypeAndStatusUseCase failed: RESOURCE_EXHAUSTED (Received message larger than max (70000000 vs 67108864); the ADOPTION_APPROVED backlog no longer fits in one response: raise HOBOM_GRPC_MAX_RECEIVE_BYTES)",
    );
  });

  test("lets any other failure of a Find or a mark through as it is", async () => {
    const down = new BackendCallError("for-hobom-angel-backend", "x", "UNAVAILABLE", "", { retriable: true });
    const { channels } = stubChannels(() => {
      throw down;
    });
    await expect(client(channels).findPending("ADOPTION_APPROVED")).rejects.toBe(down);
    await expect(client(channels).markSent("e1")).rejects.toBe(down);
  });
});
