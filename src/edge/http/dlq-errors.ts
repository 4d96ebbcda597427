/**
 * What can go wrong with an API request, each with the HTTP status and the stable `error` text
 * the API answers with. The texts of 400 and 404 are the Go processor's, which clients match.
 */

import { describeError } from "../../engine/errors.ts";

export class DlqError extends Error {
  constructor(
    readonly httpStatus: 400 | 401 | 404 | 409 | 422 | 502 | 503,
    /** The `error` field of the response body. */
    readonly code: string,
    /** Extra explanation for the operator, sent as `detail`. */
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ? `${code}: ${detail}` : code, options);
    this.name = new.target.name;
  }
}

export const invalidKey = (detail: string) => new DlqError(400, "invalid key", detail);
/** A query parameter the route does not know, or one given twice. */
export const invalidQuery = (detail: string) => new DlqError(400, "invalid query", detail);
/** A body on a route that takes none. */
export const invalidBody = (detail: string) => new DlqError(400, "invalid body", detail);
/** A query parameter whose value does not fit: `invalid <name>`. */
export const invalidParameter = (name: string, detail: string) => new DlqError(400, `invalid ${name}`, detail);
export const unauthorized = (detail: string) => new DlqError(401, "unauthorized", detail);
export const jobNotFound = () => new DlqError(404, "job not found", "no such job (jobs are kept 7 days); GET /dlq/jobs lists the recent ones");
export const jobFinished = (state: string) => new DlqError(409, "job finished", `the job is ${state}; only a running job can be cancelled`);
export const invalidPrefix = (detail: string) => new DlqError(400, "invalid prefix", detail);
export const notFound = () => new DlqError(404, "DLQ not found");
export const retryInProgress = () => new DlqError(409, "retry in progress", "another retry of this entry is running; try again when it has finished");
export const notReplayable = (detail: string) => new DlqError(422, "not replayable", detail);
export const upstreamFailed = (detail: string, cause: unknown) => new DlqError(502, "upstream failed", detail, { cause });
/** A sink (Kafka, …) or the source cannot take the event now; the `error` names it, as `kafka unavailable`. */
export const dependencyUnavailable = (dependency: string, cause: unknown) =>
  new DlqError(503, `${dependency} unavailable`, `${dependency} cannot take the event now (${describeError(cause)}); the entry is kept, retry later`, {
    cause,
  });
export const redisUnavailable = (cause: unknown) => new DlqError(503, "redis unavailable", "Redis cannot be reached; nothing was changed", { cause });
