/** Telling whether a redis-server serves, without a Redis client. */
import { withTimeout } from "./processes.ts";

/**
 * Whether 127.0.0.1:port answers PING as the default user, within 1 s. Over a raw socket
 * (cheaper than a client; a server that wants AUTH counts as unusable); with `ca` (PEM) over TLS
 * trusting only that CA, so a broken certificate set-up fails here rather than in a test.
 */
export async function ping(port: number, ca?: string): Promise<boolean> {
  const reply = new Promise<boolean>((resolve) => {
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      ...(ca === undefined ? {} : { tls: { ca } }),
      socket: {
        // For TLS without a handshake handler, open comes after a successful handshake.
        open(socket) {
          socket.write("PING\r\n");
        },
        data(socket, data) {
          resolve(data.toString().startsWith("+PONG"));
          socket.end();
        },
        close() {
          resolve(false);
        },
        error() {
          resolve(false);
        },
      },
    }).catch(() => resolve(false));
  });
  return withTimeout(reply, 1_000, () => false);
}
