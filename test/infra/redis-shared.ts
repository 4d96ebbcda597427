/**
 * The Redis all tests share (they keep apart by key prefix): the machine's own Redis when one
 * answers PING on 6379, otherwise a redis-server the test bed starts detached and later runs reuse.
 */
import { freePorts, processAlive, terminate } from "./processes.ts";
import { ping } from "./redis-ping.ts";
import { LocalRedisServer } from "./redis-server.ts";
import { readSharedState, reuseOrStart, type SharedServer, stopShared } from "./shared-server.ts";

const MACHINE_PORT = 6379;

interface SharedRedisState {
  pid: number;
  port: number;
}

const shared: SharedServer<SharedRedisState> = {
  name: "shared-redis",
  healthy: async (state) => processAlive(state.pid, "redis-server") && (await ping(state.port)),
  stop: async (state) => {
    if (processAlive(state.pid, "redis-server")) await terminate(state.pid);
  },
  start: async () => {
    const [port] = freePorts(1) as [number];
    const server = new LocalRedisServer(port, "shared", true);
    await server.start();
    return { pid: server.pid(), port: server.port };
  },
};

/** URL of the shared Redis: the machine's on 6379 if it answers PING, else the test bed's own. */
export async function sharedRedisUrl(): Promise<string> {
  if (await ping(MACHINE_PORT)) return `redis://127.0.0.1:${MACHINE_PORT}`;
  const state = await reuseOrStart(shared);
  return `redis://127.0.0.1:${state.port}`;
}

/** Stops the redis-server the test bed started, if any (never the machine's own Redis). */
export async function stopSharedRedis(): Promise<SharedRedisState | null> {
  return stopShared(shared);
}

/** Which Redis the test bed would use right now, and who runs it. */
export async function sharedRedisStatus(): Promise<{ url: string; owner: string; healthy: boolean } | null> {
  if (await ping(MACHINE_PORT)) {
    return { url: `redis://127.0.0.1:${MACHINE_PORT}`, owner: "machine (not managed by the test bed)", healthy: true };
  }
  const state = readSharedState<SharedRedisState>(shared.name);
  if (!state) return null;
  return { url: `redis://127.0.0.1:${state.port}`, owner: `test bed, pid ${state.pid}`, healthy: await shared.healthy(state) };
}
