/**
 * Bun's built-in Redis client behind one small interface, every failure translated into a
 * {@link RedisError}. Commands fail fast while disconnected (no offline queue) and every command
 * has a deadline: a cycle that cannot reach Redis, or reaches one that hangs, must stop within
 * seconds and leave its rows PENDING, not wait for the socket to close.
 */
import { RedisClient } from "bun";
import { withDeadline } from "../engine/deadline.ts";
import { RedisError } from "./errors.ts";
import { whyUnreachable } from "./redis-diagnose.ts";

export interface Redis {
  /** Sends one command; rejects with a RedisError. */
  send(command: string, args: readonly string[]): Promise<unknown>;
  /** Runs a Lua script by EVALSHA, loading it with EVAL the first time. */
  script(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  close(): void;
}

export interface RedisOptions {
  /** redis:// or rediss:// (TLS), possibly with user and password. */
  readonly url: string;
  /** ACL user name; overrides the URL's. */
  readonly username?: string;
  readonly password?: string;
  /** CA for a rediss:// address; without it the system's CAs. */
  readonly tlsCaPem?: Buffer;
  /** Deadline of one command, connecting included. */
  readonly commandTimeoutMs: number;
  readonly connectionTimeoutMs?: number;
}

/**
 * Error replies that mean Redis is not serving right now (it is loading, full, read-only, or
 * refuses who we are), not that the command was wrong: the first word of the reply.
 */
const NOT_SERVING = new Set(["LOADING", "BUSY", "OOM", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOAUTH", "WRONGPASS", "NOPERM"]);

/** How long a failed command's diagnosis may take on top of its deadline. */
const DIAGNOSE_TIMEOUT_MS = 1000;

export function connectRedis(options: RedisOptions): Redis {
  const url = new URL(options.url);
  if (options.username !== undefined) url.username = encodeURIComponent(options.username);
  if (options.password !== undefined) url.password = encodeURIComponent(options.password);
  const connectMs = Math.min(options.connectionTimeoutMs ?? 2000, options.commandTimeoutMs);
  const client = new RedisClient(url.toString(), {
    connectionTimeout: connectMs,
    enableOfflineQueue: false,
    autoReconnect: true,
    // The largest Bun accepts: keep reconnecting for as long as the relay runs.
    maxRetries: 4_294_967_295,
    ...(url.protocol === "rediss:" && { tls: options.tlsCaPem ? { ca: options.tlsCaPem.toString("utf8") } : true }),
  });
  const shas = new Map<string, string>();
  let connecting: Promise<void> | undefined;

  // Bun's client connects lazily and, without the offline queue, refuses commands until it has:
  // connect on demand so the first commands after a start or an outage wait for the connection
  // instead of failing. connect() keeps waiting through the client's reconnect attempts while
  // Redis is down; the command's deadline bounds it.
  const ensureConnected = () => {
    if (client.connected) return Promise.resolve();
    connecting ??= client.connect().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const send = async (command: string, args: readonly string[]) => {
    let expired = false;
    // A command whose caller gave up waiting for the connection must not run once it is back: a
    // lease taken by a SET nobody waits for any more would block its pipeline until it expired.
    const sendOnceConnected = () => {
      if (expired) throw new Error("the deadline passed before the connection was made; not sent");
      return client.send(command, [...args]);
    };
    try {
      return await withDeadline(ensureConnected().then(sendOnceConnected), options.commandTimeoutMs, () => {
        expired = true;
        return new Error(`no answer within ${options.commandTimeoutMs} ms (HOBOM_REDIS_TIMEOUT_MS)`);
      });
    } catch (error) {
      const refused = refusedByRedis(error);
      const reason =
        !refused && !client.connected ? `${(error as Error).message}: ${await whyUnreachable(url, DIAGNOSE_TIMEOUT_MS)}` : (error as Error).message;
      throw new RedisError(`${command} failed: ${reason}`, error, refused);
    }
  };

  return {
    send,
    async script(source, keys, args) {
      let sha = shas.get(source);
      if (!sha) {
        sha = new Bun.CryptoHasher("sha1").update(source).digest("hex");
        shas.set(source, sha);
      }
      const argv = [String(keys.length), ...keys, ...args];
      try {
        return await send("EVALSHA", [sha, ...argv]);
      } catch (error) {
        // NOSCRIPT is Redis's protocol code for "load it first", not message text we guess at.
        if (!(error instanceof RedisError && error.refused && replyCode(error.cause) === "NOSCRIPT")) throw error;
        return send("EVAL", [source, ...argv]);
      }
    },
    close() {
      client.close();
    },
  };
}

/** Redis answered with an error reply about the command itself (not one that says it is not serving). */
function refusedByRedis(error: unknown): boolean {
  const code = replyCode(error);
  return code !== undefined && !NOT_SERVING.has(code);
}

/** The first word of a Redis error reply ("ERR", "WRONGTYPE", "NOSCRIPT", …); undefined for other failures. */
function replyCode(error: unknown): string | undefined {
  if ((error as { code?: unknown })?.code !== "ERR_REDIS_SERVER_ERROR") return undefined;
  return /^[A-Z]+/.exec((error as Error).message)?.[0];
}
