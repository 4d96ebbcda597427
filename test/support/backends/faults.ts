/**
 * The misbehaviours a test can order from a double, per rpc (see rpc-key.ts for how an rpc is
 * named). A fault stays until it is used up or `clear()` is called; doubles shared by several
 * tests should be reset between them.
 */
import type * as grpc from "@grpc/grpc-js";
import { eventIdOf } from "./call-log.ts";
import { type RpcKey, rpcMatches } from "./rpc-key.ts";

/** Which calls fail, and how. */
export interface FailureSpec {
  code: grpc.status;
  message?: string;
  /**
   * How many calls fail before the rpc recovers (default 1; `Infinity` for "until cleared").
   * With `eventIds`, the count is per eventId: each listed row fails that many times.
   */
  times?: number;
  /** Only calls whose request carries one of these eventIds fail (Mark requests). */
  eventIds?: readonly string[];
}

/** An injected failure, as the server must answer it. */
export interface InjectedFailure {
  code: grpc.status;
  message: string;
}

/** A large enough response to break a client's default 4 MiB receive limit. */
export const DEFAULT_OVERSIZE_BYTES = 5 * 1024 * 1024;

interface FailureRule {
  rpc: RpcKey;
  failure: InjectedFailure;
  /** Failures left for any call; unused when the rule is per eventId. */
  remaining: number;
  /** Failures left per eventId, or `null` when the rule applies to every call. */
  remainingPerEventId: Map<string, number> | null;
}

export class Faults {
  #failures: FailureRule[] = [];
  #delays = new Map<RpcKey, number>();
  #oversize = new Map<RpcKey, number>();
  #rewrites = new Map<RpcKey, (bytes: Buffer) => Buffer>();

  /** Makes the next calls to `rpc` fail with `spec.code`, then lets it recover. */
  fail(rpc: RpcKey, spec: FailureSpec): void {
    const times = spec.times ?? 1;
    this.#failures.push({
      rpc,
      failure: { code: spec.code, message: spec.message ?? `injected failure of ${rpc}` },
      remaining: times,
      remainingPerEventId: spec.eventIds ? new Map(spec.eventIds.map((id) => [id, times])) : null,
    });
  }

  /**
   * Makes every call to `rpc` wait `ms` before it is answered. The server answers even when the
   * client gave up, which is what a client deadline test needs: the deadline fires first.
   */
  delay(rpc: RpcKey, ms: number): void {
    this.#delays.set(rpc, ms);
  }

  /**
   * Makes the Find `rpc` append padding rows until the response exceeds `bytes` (default 5 MiB):
   * a real oversized message, which a client with the default receive limit rejects with
   * RESOURCE_EXHAUSTED. Padding rows are not in the outbox (eventIds "padding-<n>", no payload,
   * the padding in `lastError`), so marking one behaves as for an unknown eventId.
   */
  oversize(rpc: RpcKey, bytes: number = DEFAULT_OVERSIZE_BYTES): void {
    this.#oversize.set(rpc, bytes);
  }

  /**
   * Passes every response of `rpc` through `rewrite` after it was encoded: for bytes a backend
   * could send but a correct encoder never would (a field of the wrong type after schema drift).
   */
  rewrite(rpc: RpcKey, rewrite: (bytes: Buffer) => Buffer): void {
    this.#rewrites.set(rpc, rewrite);
  }

  /** Removes every fault. */
  clear(): void {
    this.#failures = [];
    this.#delays.clear();
    this.#oversize.clear();
    this.#rewrites.clear();
  }

  /** The rewrite ordered for `path`, if any. */
  rewriteFor(path: string): ((bytes: Buffer) => Buffer) | undefined {
    for (const [rpc, rewrite] of this.#rewrites) if (rpcMatches(rpc, path)) return rewrite;
    return undefined;
  }

  /** The delay the server applies to a call to `path` (the longest matching one). */
  delayFor(path: string): number {
    return largestMatching(this.#delays, path);
  }

  /** How large the server must make a Find response to `path`; 0 when no padding is ordered. */
  oversizeFor(path: string): number {
    return largestMatching(this.#oversize, path);
  }

  /** Consumes and returns the failure this call must answer with, if any. */
  takeFailure(path: string, request: unknown): InjectedFailure | undefined {
    const eventId = eventIdOf(request);
    for (const rule of this.#failures) {
      if (!rpcMatches(rule.rpc, path)) continue;
      if (rule.remainingPerEventId === null) {
        if (rule.remaining > 0) {
          rule.remaining -= 1;
          return rule.failure;
        }
      } else if (eventId !== undefined) {
        const left = rule.remainingPerEventId.get(eventId) ?? 0;
        if (left > 0) {
          rule.remainingPerEventId.set(eventId, left - 1);
          return rule.failure;
        }
      }
    }
    return undefined;
  }
}

function largestMatching(byRpc: ReadonlyMap<RpcKey, number>, path: string): number {
  let largest = 0;
  for (const [rpc, value] of byRpc) if (rpcMatches(rpc, path)) largest = Math.max(largest, value);
  return largest;
}
