/**
 * Why Redis cannot be reached, in the operating system's words. Bun's client retries connecting
 * on its own and reports only "Connection closed"; an operator needs ECONNREFUSED (nothing
 * listens), ENOTFOUND (a wrong host name) or ETIMEDOUT (a firewall), so a failed command asks the
 * network once, with a plain TCP connect.
 */
import { connect } from "node:net";

export function whyUnreachable(url: URL, timeoutMs: number): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || 6379);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reason: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(`ETIMEDOUT connecting to ${host}:${port}`), timeoutMs);
    socket.once("connect", () => done(`${host}:${port} accepts connections but Redis does not answer (TLS, password or a server that hangs?)`));
    socket.once("error", (error: NodeJS.ErrnoException) => done(`${error.code ?? error.message} connecting to ${host}:${port}`));
  });
}
