/**
 * Every call a double received, in arrival order, so tests can assert what the relay sent ("MarkSent
 * was called twice for X", "SaveStudyMaterial got these fields") and not only what ended up stored.
 */
import type * as grpc from "@grpc/grpc-js";
import { methodName, type RpcKey, rpcMatches } from "./rpc-key.ts";

/** One received call. */
export interface RecordedCall {
  /** "/package.Service/Method". */
  readonly path: string;
  readonly method: string;
  /** The decoded request, as the handler saw it. */
  readonly request: unknown;
  /** The x-api-key metadata, `undefined` when absent. */
  readonly apiKey: string | undefined;
  readonly receivedAt: Date;
  /** The status the double answered with; `undefined` while the call is still being served. */
  status: grpc.status | undefined;
}

export class CallLog {
  readonly #calls: RecordedCall[] = [];

  /** Called by the server when a call arrives; returns the entry so the outcome can be filled in. */
  record(path: string, request: unknown, apiKey: string | undefined): RecordedCall {
    const call: RecordedCall = {
      path,
      method: methodName(path),
      request,
      apiKey,
      receivedAt: new Date(),
      status: undefined,
    };
    this.#calls.push(call);
    return call;
  }

  /** The calls to `rpc` (every call when omitted), in arrival order. */
  calls(rpc: RpcKey = "*"): RecordedCall[] {
    return this.#calls.filter((call) => rpcMatches(rpc, call.path));
  }

  /** How many calls `rpc` received. */
  count(rpc: RpcKey): number {
    return this.calls(rpc).length;
  }

  /**
   * The requests `rpc` received, in arrival order. The caller names the request type: the log
   * cannot check it, but the double's service definition decoded it into that shape.
   */
  requests<T>(rpc: RpcKey): T[] {
    return this.calls(rpc).map((call) => call.request as T);
  }

  /** How many calls `rpc` received for this eventId (Mark requests carry one). */
  countFor(rpc: RpcKey, eventId: string): number {
    return this.calls(rpc).filter((call) => eventIdOf(call.request) === eventId).length;
  }

  clear(): void {
    this.#calls.length = 0;
  }
}

/** The `eventId` of a Mark request; `undefined` for requests that carry none. */
export function eventIdOf(request: unknown): string | undefined {
  if (typeof request !== "object" || request === null || !("eventId" in request)) return undefined;
  return typeof request.eventId === "string" ? request.eventId : undefined;
}
