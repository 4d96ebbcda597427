// The service's HTTP API as the console calls it: same origin, the api key in x-api-key on
// every API call, and every answer that is not a success turned into an ApiError carrying the
// API's `error` and `detail`.

// Relative to the page (`/console`), so a reverse proxy's path prefix is kept.
const API_BASE = new URL("hobom-event-processor/internal/api/v1/", document.baseURI);
const SITE_BASE = new URL(".", document.baseURI);

const READ_TIMEOUT_MS = 30_000;
// A retry may run a law entry's whole LLM orchestration before it answers.
const RETRY_TIMEOUT_MS = 15 * 60_000;

/** The API answered with an error status. */
export class ApiError extends Error {
  constructor(status, error, detail) {
    super(detail ? `${status} ${error}: ${detail}` : `${status} ${error}`);
    this.name = "ApiError";
    this.status = status;
    this.error = error;
    this.detail = detail;
  }
}

/** No answer at all: the service is down, the network is, or it took too long. */
export class UnreachableError extends Error {
  constructor(url, reason) {
    super(`no answer from ${url}: ${reason}`);
    this.name = "UnreachableError";
    this.url = url;
  }
}

const encode = (value) => encodeURIComponent(value);

/** `getKey()` gives the key to send; the client keeps none itself. */
export function createApi(getKey) {
  async function request(method, path, options = {}) {
    const { query = {}, keyed = true, timeoutMs = READ_TIMEOUT_MS, accept = () => false } = options;
    const url = new URL(path, keyed ? API_BASE : SITE_BASE);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
    }
    // No body and no content-type: the API refuses either on routes that take none.
    const headers = keyed ? { "x-api-key": getKey() ?? "" } : {};
    let response;
    try {
      response = await fetch(url, { method, headers, cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const reason = error?.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : String(error?.message ?? error);
      throw new UnreachableError(`${method} ${url.pathname}`, reason);
    }
    const text = await response.text();
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok && !accept(response.status, body)) {
      const error = typeof body?.error === "string" ? body.error : response.statusText || "error";
      const detail = typeof body?.detail === "string" ? body.detail : body === undefined && text !== "" ? text.slice(0, 500) : undefined;
      throw new ApiError(response.status, error, detail);
    }
    return { status: response.status, body };
  }

  // A finished job answers 207 (some items failed) or 502 (all failed) with the job itself.
  const isJob = (status, body) => (status === 207 || status === 502) && typeof body?.id === "string";
  // /health answers 503 with its report when a dependency is down.
  const isHealthReport = (status, body) => status === 503 && typeof body?.components === "object";

  return {
    pipelines: () => request("GET", "pipelines"),
    health: () => request("GET", "health", { keyed: false, accept: isHealthReport }),
    entries: (query) => request("GET", "dlq/entries", { query }),
    entry: (key) => request("GET", `dlq/${encode(key)}`),
    retry: (key) => request("POST", `dlq/retry/${encode(key)}`, { timeoutMs: RETRY_TIMEOUT_MS }),
    remove: (key) => request("DELETE", `dlq/${encode(key)}`),
    /** Dry run (`dryRun: true`) or a job, for the filters given. */
    bulkRetry: (query) => request("POST", "dlq/retry", { query }),
    job: (id) => request("GET", `dlq/jobs/${encode(id)}`, { accept: isJob }),
    jobs: () => request("GET", "dlq/jobs"),
    cancelJob: (id) => request("DELETE", `dlq/jobs/${encode(id)}`),
    audit: (query) => request("GET", "audit", { query }),
  };
}
