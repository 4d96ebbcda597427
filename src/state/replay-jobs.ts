/**
 * Bulk replay jobs in Redis, so that every instance answers for every job: the job's record (a
 * hash, `<ns>dlq-job:<id>`), its per-entry results (a list, `<ns>dlq-job:<id>:items`), and the jobs
 * by creation time (`<ns>dlq-jobs`), all kept 7 days. A job leaves `running` once, by finishing
 * or by being cancelled, whichever comes first (one script decides).
 */
import { hashFields } from "./dlq-meta.ts";
import type { KeyScheme } from "./keys.ts";
import type { Redis } from "./redis.ts";

/** How long a job and its results are kept. */
export const JOB_TTL_SECONDS = 7 * 24 * 3600;

export type JobState = "running" | "succeeded" | "partial" | "failed" | "cancelled";

export interface JobRecord {
  readonly id: string;
  readonly state: JobState;
  readonly actor: string;
  /** The instance that runs it. */
  readonly instance: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  /** Last sign of life of the instance running it, ISO 8601. */
  readonly heartbeatAt: string;
  /** What it was asked to replay, as the request gave it. */
  readonly filters: Readonly<Record<string, unknown>>;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
}

/** One entry's result, as the API shows it. */
export interface JobItem {
  readonly key: string;
  readonly status: number;
  readonly outcome: "retried" | "failed";
  readonly [field: string]: unknown;
}

/**
 * KEYS[1] job, KEYS[2] jobs by creation. ARGV[1] ttl seconds, ARGV[2] id, ARGV[3] created at (epoch ms),
 * ARGV[4…] field, value pairs. Writes the job, lists it, and drops ids older than the ttl from the list.
 */
const CREATE_SCRIPT = `
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[1]) * 1000)
return 1
`;

/** KEYS[1] job, KEYS[2] its items. ARGV[1] the item (JSON), ARGV[2] the counter ("done" or "failed"), ARGV[3] ttl seconds. */
const ITEM_SCRIPT = `
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
return 1
`;

/** KEYS[1] job. ARGV[1] now (ISO 8601). Renews the heartbeat of a running job; returns its state ("" when there is none). */
const HEARTBEAT_SCRIPT = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'running' then redis.call('HSET', KEYS[1], 'heartbeatAt', ARGV[1]) end
return state or ''
`;

/** KEYS[1] job. ARGV[1] the final state, ARGV[2] now (ISO 8601). Ends a running job; returns the state it had ("" when none). */
const END_SCRIPT = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'running' then redis.call('HSET', KEYS[1], 'state', ARGV[1], 'finishedAt', ARGV[2]) end
return state or ''
`;

export interface ReplayJobs {
  create(job: Omit<JobRecord, "state" | "finishedAt" | "heartbeatAt" | "done" | "failed">): Promise<void>;
  /** Adds one entry's result and counts it as done or failed. */
  recordItem(id: string, item: JobItem): Promise<void>;
  /** Renews a running job's heartbeat; resolves with its state (undefined: no such job), so the runner sees a cancel. */
  heartbeat(id: string, at: string): Promise<JobState | undefined>;
  /** Moves a running job to `state`; resolves with the state it had (undefined: no such job). */
  end(id: string, state: Exclude<JobState, "running">, at: string): Promise<JobState | undefined>;
  get(id: string): Promise<JobRecord | undefined>;
  items(id: string): Promise<JobItem[]>;
  /** The newest `limit` jobs, newest first. */
  list(limit: number): Promise<JobRecord[]>;
}

export function createReplayJobs(params: { redis: Redis; keys: KeyScheme }): ReplayJobs {
  const { redis, keys } = params;
  const ttl = String(JOB_TTL_SECONDS);
  const stateOf = (answer: unknown) => (answer === "" || answer === null || answer === undefined ? undefined : (String(answer) as JobState));
  const get = async (id: string) => toJob(await redis.send("HGETALL", [keys.job(id)]));
  return {
    async create(job) {
      const fields = {
        ...job,
        state: "running",
        heartbeatAt: job.createdAt,
        filters: JSON.stringify(job.filters),
        total: String(job.total),
        done: "0",
        failed: "0",
      };
      await redis.script(CREATE_SCRIPT, [keys.job(job.id), keys.jobs], [ttl, job.id, String(Date.parse(job.createdAt)), ...Object.entries(fields).flat()]);
    },
    async recordItem(id, item) {
      await redis.script(ITEM_SCRIPT, [keys.job(id), keys.jobItems(id)], [JSON.stringify(item), item.outcome === "retried" ? "done" : "failed", ttl]);
    },
    heartbeat: async (id, at) => stateOf(await redis.script(HEARTBEAT_SCRIPT, [keys.job(id)], [at])),
    end: async (id, state, at) => stateOf(await redis.script(END_SCRIPT, [keys.job(id)], [state, at])),
    get,
    async items(id) {
      const raw = (await redis.send("LRANGE", [keys.jobItems(id), "0", "-1"])) as unknown[];
      return (raw ?? []).map((item) => JSON.parse(String(item)) as JobItem);
    },
    async list(limit) {
      const ids = ((await redis.send("ZRANGE", [keys.jobs, "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", String(limit)])) as unknown[]).map(String);
      const jobs = await Promise.all(ids.map(get));
      return jobs.filter((job): job is JobRecord => job !== undefined);
    },
  };
}

function toJob(raw: unknown): JobRecord | undefined {
  const fields = hashFields(raw);
  if (fields.id === undefined) return undefined;
  let filters: Record<string, unknown> = {};
  try {
    filters = JSON.parse(fields.filters ?? "{}") as Record<string, unknown>;
  } catch {
    // A record written by hand: shown without its filters.
  }
  return {
    id: fields.id,
    state: (fields.state ?? "running") as JobState,
    actor: fields.actor ?? "",
    instance: fields.instance ?? "",
    createdAt: fields.createdAt ?? "",
    finishedAt: fields.finishedAt ?? null,
    heartbeatAt: fields.heartbeatAt ?? fields.createdAt ?? "",
    filters,
    total: Number(fields.total ?? 0),
    done: Number(fields.done ?? 0),
    failed: Number(fields.failed ?? 0),
  };
}
