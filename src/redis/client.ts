/**
 * Bun's built-in Redis client behind one small interface, every failure translated into a
 * {@link RedisError}. Commands fail fast while disconnected (no offline queue): a cycle that
 * cannot reach Redis must stop and leave its rows PENDING, not wait.
 */
import { RedisClient } from "bun";
import { RedisError } from "../errors.ts";

export interface Redis {
  /** Sends one command; rejects with a RedisError. */
  send(command: string, args: readonly string[]): Promise<unknown>;
  /** Runs a Lua script by EVALSHA, loading it with EVAL the first time. */
  script(source: string, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  close(): void;
}

export function connectRedis(options: { url: string; password?: string; connectionTimeoutMs?: number }): Redis {
  const url = new URL(options.url);
  if (options.password !== undefined) url.password = options.password;
  const timeoutMs = options.connectionTimeoutMs ?? 2000;
  const client = new RedisClient(url.toString(), {
    connectionTimeout: timeoutMs,
    enableOfflineQueue: false,
    autoReconnect: true,
    // The largest Bun accepts: keep reconnecting for as long as the relay runs.
    maxRetries: 4_294_967_295,
  });
  const shas = new Map<string, string>();
  let connecting: Promise<void> | undefined;

  // Bun's client connects lazily and, without the offline queue, refuses commands until it has:
  // connect on demand (bounded by connectionTimeout) so the first commands after a start or an
  // outage wait for the connection instead of failing.
  const ensureConnected = () => {
    if (client.connected) return Promise.resolve();
    // connect() keeps waiting through the client's reconnect attempts while Redis is down; a
    // command must fail within the connection timeout instead.
    connecting ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not connected within ${timeoutMs} ms`)), timeoutMs);
      client.connect().then(resolve, reject).finally(() => clearTimeout(timer));
    }).finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const send = async (command: string, args: readonly string[]) => {
    try {
      await ensureConnected();
      return await client.send(command, [...args]);
    } catch (error) {
      throw new RedisError(`${command} failed: ${(error as Error).message}`, error);
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
        if (!String((error as RedisError).message).includes("NOSCRIPT")) throw error;
        return send("EVAL", [source, ...argv]);
      }
    },
    close() {
      client.close();
    },
  };
}
