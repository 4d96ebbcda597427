/**
 * Talking to a relay's HTTP API from a test the way operators do: real requests over loopback,
 * the answer's status and parsed body, and the small helpers the HTTP tests share (DLQ entries
 * written the way the Go processor wrote them, Prometheus text parsing).
 */

import type { RedisInspector } from "./redis-inspect.ts";
import { TEST_INTERNAL_API_KEY } from "./relay-env.ts";

/** The DLQ API's base path (contracts, section 5). */
export const DLQ_BASE = "/hobom-event-processor/internal/api/v1";

/** What the Go processor gave a DLQ entry: 72 hours. */
export const GO_DLQ_TTL_SECONDS = 259_200;

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON; `undefined` when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field; `any` keeps those assertions short
  readonly body: any;
}

/** One HTTP request to `baseUrl + path` (the path is sent as written: nothing is re-encoded). */
export async function http(
  baseUrl: string,
  method: string,
  path: string,
  options: { apiKey?: string | null; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey !== null && options.apiKey !== undefined) headers["x-api-key"] = options.apiKey;
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: options.body });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** The DLQ routes of one relay, with the internal api key unless told otherwise. */
export function dlqClient(relay: { readonly httpUrl: string }, apiKey: string | null = TEST_INTERNAL_API_KEY) {
  const call = (method: string, path: string) => http(relay.httpUrl, method, `${DLQ_BASE}${path}`, { apiKey });
  return {
    /** Any method and path under the base path, sent as written. */
    call,
    list: (query: Record<string, string> = {}) => {
      const search = new URLSearchParams(query).toString();
      return call("GET", `/dlq${search ? `?${search}` : ""}`);
    },
    get: (key: string) => call("GET", `/dlq/${key}`),
    remove: (key: string) => call("DELETE", `/dlq/${key}`),
    retry: (key: string) => call("POST", `/dlq/retry/${key}`),
    retryAll: (prefix: string, extra: Record<string, string> = {}) => call("POST", `/dlq/retry?${new URLSearchParams({ prefix, ...extra }).toString()}`),
    /** GET /dlq/entries with these query parameters. */
    entries: (query: Record<string, string> = {}) => call("GET", `/dlq/entries${querySuffix(query)}`),
    /** POST /dlq/retry with these query parameters (a bulk replay job, or a dry run). */
    bulk: (query: Record<string, string>) => call("POST", `/dlq/retry${querySuffix(query)}`),
    job: (id: string) => call("GET", `/dlq/jobs/${id}`),
    cancelJob: (id: string) => call("DELETE", `/dlq/jobs/${id}`),
    jobs: () => call("GET", "/dlq/jobs"),
    audit: (query: Record<string, string> = {}) => call("GET", `/audit${querySuffix(query)}`),
    pipelines: () => call("GET", "/pipelines"),
    /** Polls GET /dlq/jobs/:id until the job is no longer running; the last answer. */
    async finishedJob(id: string, timeoutMs = 30_000): Promise<HttpAnswer> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = await call("GET", `/dlq/jobs/${id}`);
        if (answer.body?.state !== "running") return answer;
        if (Date.now() > deadline) throw new Error(`job ${id} still running after ${timeoutMs} ms: ${answer.text}`);
        await Bun.sleep(50);
      }
    },
  };
}

function querySuffix(query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return search ? `?${search}` : "";
}

export type DlqClient = ReturnType<typeof dlqClient>;

/** Writes an entry exactly as the Go processor did: the value alone, `SET key value EX 259200`. */
export async function writeGoEntry(redis: RedisInspector, key: string, value: string): Promise<void> {
  await redis.set(key, value, GO_DLQ_TTL_SECONDS);
}

/**
 * The DLQ entries, their metadata and the delivery records under the namespace, with their values
 * (strings) or fields (hashes): what "nothing changed" compares. Replay locks are left out.
 */
export async function redisSnapshot(redis: RedisInspector): Promise<Record<string, unknown>> {
  const snapshot: Record<string, unknown> = {};
  const keys = [...(await redis.keys("dlq:*")), ...(await redis.keys("dlqmeta:*")), ...(await redis.keys("sent:*"))];
  for (const key of keys.sort()) snapshot[key] = key.includes("dlqmeta:") ? await redis.hgetall(key) : await redis.get(key);
  return snapshot;
}

/** One sample of a Prometheus text exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((sample) => sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
