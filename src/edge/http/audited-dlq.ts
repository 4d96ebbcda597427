/**
 * The DLQ service with every change audited: each retry and delete that got past its key's check
 * is recorded with its actor, outcome and HTTP status, the failures too (a key the API refuses
 * changed nothing and is not recorded). Retries answer in the API's words (retry-answer.ts).
 */
import { describeError } from "../../engine/errors.ts";
import { RedisError } from "../../state/errors.ts";
import type { DlqService } from "../dlq-service.ts";
import type { Actor } from "./api-key.ts";
import type { AuditAction, AuditTrail } from "./audit-trail.ts";
import { DlqError } from "./dlq-errors.ts";
import { parseDlqKey } from "./dlq-key.ts";
import type { PipelineEntry } from "./pipeline-catalog.ts";
import { type RetryAnswer, retryAnswer } from "./retry-answer.ts";

export interface AuditedDlq {
  readonly get: DlqService["get"];
  remove(key: string, actor: Actor): Promise<void>;
  retry(key: string, actor: Actor): Promise<RetryAnswer>;
}

export function createAuditedDlq(params: { dlq: DlqService; audit: AuditTrail; namespace: string; catalog: readonly PipelineEntry[] }): AuditedDlq {
  const { dlq, audit, namespace, catalog } = params;

  async function audited<T>(action: AuditAction, key: string, actor: Actor, run: () => Promise<T>, describe: (value: T) => string | null): Promise<T> {
    // Throws the 400 before anything is recorded: nothing was attempted.
    parseDlqKey(key, namespace, catalog);
    let value: T;
    try {
      value = await run();
    } catch (error) {
      const failure = failureOf(error);
      await audit.record({ actor, action, target: key, outcome: "failed", status: failure.status, detail: describeFailure(failure) });
      throw error;
    }
    await audit.record({ actor, action, target: key, outcome: "ok", status: 200, detail: describe(value) });
    return value;
  }

  return {
    get: (key) => dlq.get(key),
    remove: (key, actor) =>
      audited(
        "dlq.delete",
        key,
        actor,
        () => dlq.remove(key),
        () => null,
      ),
    retry: (key, actor) =>
      audited(
        "dlq.retry",
        key,
        actor,
        async () => {
          const sink = catalog.find((entry) => entry.name === parseDlqKey(key, namespace, catalog).pipeline.name)?.sink;
          return retryAnswer(await dlq.retry(key), sink);
        },
        describeAnswer,
      ),
  };
}

/** `published=true marked=SENT`: the answer's facts, for the audit detail. */
export function describeAnswer(answer: RetryAnswer): string {
  const { message: _message, ...facts } = answer;
  return Object.entries(facts)
    .map(([name, value]) => `${name}=${value}`)
    .join(" ");
}

export interface Failure {
  readonly status: number;
  readonly error: string;
  readonly detail?: string;
}

/** The status, `error` and `detail` a failure is answered with (as app.ts answers it). */
export function failureOf(error: unknown): Failure {
  if (error instanceof DlqError) return { status: error.httpStatus, error: error.code, ...(error.detail ? { detail: error.detail } : {}) };
  if (error instanceof RedisError && !error.refused) return { status: 503, error: "redis unavailable", detail: describeError(error) };
  return { status: 500, error: "internal error", detail: describeError(error) };
}

/** `upstream failed: <detail>`. */
export function describeFailure(failure: Failure): string {
  return failure.detail ? `${failure.error}: ${failure.detail}` : failure.error;
}
