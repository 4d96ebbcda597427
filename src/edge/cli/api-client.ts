/**
 * A thin typed client of the instance's HTTP API: one method per route the dlq commands use, the
 * api key in `x-api-key`, keys URL-encoded. An answer that is not a success is an ApiError with
 * the API's `error` and `detail`; an instance that does not answer is an UnreachableError.
 */
import { API_BASE } from "../http/route-table.ts";
import type { AuditPage, DryRunAnswer, EntryFilters, EntryPage, Job, JobList, JobStarted, RetryAnswer, StoredEntry } from "./api-types.ts";
import type { Target } from "./target.ts";

/** How long a read may take before the instance counts as not answering. */
const READ_TIMEOUT_MS = 30_000;
/** A single retry may run a law entry's whole LLM orchestration (attempts × 2 min) first. */
const RETRY_TIMEOUT_MS = 15 * 60_000;

export interface Answer<T> {
  readonly status: number;
  readonly body: T;
  /** The body exactly as it came, for `--json`. */
  readonly text: string;
}

/** The API answered, but not with a success. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The answer's `error` field, or `HTTP <status>` when it had none. */
    readonly error: string,
    readonly detail: string | undefined,
    readonly text: string,
  ) {
    super(detail ? `${status} ${error}: ${detail}` : `${status} ${error}`);
    this.name = new.target.name;
  }
}

/** No answer at all: refused connection, unknown host, timeout. */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${url}: ${reason}`);
    this.name = new.target.name;
  }
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export type ApiClient = ReturnType<typeof createApiClient>;

export function createApiClient(params: { target: Target; fetch?: typeof fetch }) {
  const { target } = params;
  const send = params.fetch ?? fetch;
  const key = (value: string) => encodeURIComponent(value);

  async function request<T>(
    method: string,
    path: string,
    options: { query?: Query; timeoutMs?: number; signal?: AbortSignal; accept?: (status: number, body: unknown) => boolean } = {},
  ): Promise<Answer<T>> {
    const url = `${target.baseUrl}${API_BASE}${path}${queryString(options.query ?? {})}`;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? READ_TIMEOUT_MS);
    let response: Response;
    let text: string;
    try {
      response = await send(url, {
        method,
        headers: target.apiKey === undefined ? {} : { "x-api-key": target.apiKey },
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      const reason = timeout.aborted ? `no answer within ${(options.timeoutMs ?? READ_TIMEOUT_MS) / 1000} s` : describeFetchError(error);
      throw new UnreachableError(target.baseUrl, reason);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const excerpt = text.trim().slice(0, 200);
      throw new ApiError(
        response.status,
        response.ok ? "not a JSON answer" : `HTTP ${response.status}`,
        `${excerpt || "(empty body)"}${response.ok ? ` (is ${target.baseUrl} a hobom-event-processor?)` : ""}`,
        text,
      );
    }
    if (response.ok || options.accept?.(response.status, body)) return { status: response.status, body: body as T, text };
    const fields = (body ?? {}) as { error?: unknown; detail?: unknown };
    throw new ApiError(
      response.status,
      typeof fields.error === "string" ? fields.error : `HTTP ${response.status}`,
      typeof fields.detail === "string" ? fields.detail : undefined,
      text,
    );
  }

  /** A finished job with failures answers 207 or 502 with the job itself: an answer, not an error. */
  const isJob = (_status: number, body: unknown) => typeof body === "object" && body !== null && "state" in body && "id" in body;

  return {
    listEntries: (query: EntryFilters & { cursor?: string; limit?: number }) => request<EntryPage>("GET", "/dlq/entries", { query: { ...query } }),
    getEntry: (entry: string) => request<StoredEntry>("GET", `/dlq/${key(entry)}`),
    retryOne: (entry: string) => request<RetryAnswer>("POST", `/dlq/retry/${key(entry)}`, { timeoutMs: RETRY_TIMEOUT_MS }),
    bulkRetry: (query: EntryFilters & { limit?: number; ratePerSecond?: number; dryRun?: boolean }) =>
      request<DryRunAnswer | JobStarted>("POST", "/dlq/retry", { query: { ...query } }),
    deleteEntry: (entry: string) => request<{ message: string }>("DELETE", `/dlq/${key(entry)}`),
    getJob: (id: string, signal?: AbortSignal) => request<Job>("GET", `/dlq/jobs/${key(id)}`, { signal, accept: isJob }),
    listJobs: () => request<JobList>("GET", "/dlq/jobs"),
    cancelJob: (id: string) => request<Job>("DELETE", `/dlq/jobs/${key(id)}`, { accept: isJob }),
    audit: (query: { limit?: number; before?: string }) => request<AuditPage>("GET", "/audit", { query: { ...query } }),
  };
}

/** `?a=1&b=x` of the parameters that are set; booleans as the API spells them (true/false). */
export function queryString(query: Query): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** fetch's errors, in an operator's words: the system error code when there is one. */
function describeFetchError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}
