/**
 * Why the HTTP server could not listen, in one line an operator can act on (the runtime's own
 * error names neither the variable nor what to do).
 */

/** The server could not take its listen address; the start stops with the configuration exit code. */
export class ListenError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The ListenError of a failed listen, or undefined when the failure is not about the address. */
export function listenError(error: unknown, address: { hostname: string; port: number }): ListenError | undefined {
  const where = `cannot listen on ${address.hostname}:${address.port} (HOBOM_HTTP_ADDR)`;
  switch ((error as { code?: unknown } | undefined)?.code) {
    case "EADDRINUSE":
      return new ListenError(
        `${where}: another process holds port ${address.port}; stop it (\`ss -ltnp 'sport = :${address.port}'\` shows which) or set HOBOM_HTTP_ADDR to a free port`,
        { cause: error },
      );
    case "EACCES":
      return new ListenError(`${where}: permission denied; a port below 1024 needs CAP_NET_BIND_SERVICE, or use a port above 1023`, { cause: error });
    case "EADDRNOTAVAIL":
      return new ListenError(
        `${where}: no network interface of this machine has that address; use :${address.port} (every interface) or one of its addresses`,
        {
          cause: error,
        },
      );
    default:
      return undefined;
  }
}
