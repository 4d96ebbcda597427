/**
 * The gRPC plumbing every backend double shares: a real @grpc/grpc-js server on a free loopback
 * port that checks the api key, records each call, applies the injected faults and then runs the
 * backend's handler. The backend files only say what their rpcs do.
 */

import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { CallLog } from "./call-log.ts";
import { Faults } from "./faults.ts";

/** Thrown by a handler to answer with a non-OK status, as the real backend would. */
export class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

/** What a handler may know about the call besides its request. */
export interface CallContext {
  /** "/package.Service/Method". */
  readonly path: string;
  readonly faults: Faults;
}

/** One unary rpc: returns the response (or throws {@link RpcError}). */
export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Res | Promise<Res>;

/** A service the double serves, with a handler for each of its rpcs, by method name. */
export interface ServedService {
  definition: grpc.ServiceDefinition;
  // `never` accepts a handler of any request type: the service definition decodes the request.
  handlers: Readonly<Record<string, UnaryHandler<never, unknown>>>;
}

export interface DoubleServerOptions {
  apiKey: string;
  /** Serve TLS with this key and certificate (PEM) instead of plaintext. */
  tls?: { keyPem: Buffer; certPem: Buffer };
  /** What the backend answers when x-api-key is wrong or missing. */
  badApiKeyStatus: grpc.status;
  services: readonly ServedService[];
}

/** A running double: where it listens, what it received, what it should get wrong. */
export interface DoubleServer {
  /** "127.0.0.1:<port>", ready for a client. */
  readonly address: string;
  readonly calls: CallLog;
  readonly faults: Faults;
  /** Closes the server and every open call at once; safe to call twice. */
  stop(): void;
}

const SERVER_OPTIONS: grpc.ServerOptions = {
  // Unlimited, so that an oversized Find response really leaves the server and the limit under
  // test is the client's receive limit (grpc-js otherwise allows any size, but say it explicitly).
  "grpc.max_send_message_length": -1,
};

/** Starts a server for these services on 127.0.0.1, on a port the OS picks. */
export async function startDoubleServer(options: DoubleServerOptions): Promise<DoubleServer> {
  const calls = new CallLog();
  const faults = new Faults();
  const server = new grpc.Server(SERVER_OPTIONS);

  for (const service of options.services) {
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(service.definition)) {
      const handler = service.handlers[name];
      if (!handler) throw new Error(`double has no handler for ${method.path}`);
      implementation[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        void serve(method.path, handler, call, callback);
      };
    }
    server.addService(withRewrites(service.definition, faults), implementation);
  }

  async function serve(
    path: string,
    handler: UnaryHandler<never, unknown>,
    call: grpc.ServerUnaryCall<unknown, unknown>,
    callback: grpc.sendUnaryData<unknown>,
  ): Promise<void> {
    const apiKey = call.metadata.get("x-api-key")[0]?.toString();
    const recorded = calls.record(path, call.request, apiKey);
    try {
      // Latency comes first so that even a rejected call is slow, like a slow network would be.
      const delay = faults.delayFor(path);
      if (delay > 0) await sleep(delay);
      if (apiKey !== options.apiKey) throw new RpcError(options.badApiKeyStatus, "invalid x-api-key");
      const failure = faults.takeFailure(path, call.request);
      if (failure) throw new RpcError(failure.code, failure.message);
      const response = await handler(call.request as never, { path, faults });
      recorded.status = grpc.status.OK;
      callback(null, response);
    } catch (error) {
      // Anything but an RpcError is a bug in a handler; grpc-js would answer UNKNOWN for it too.
      const code = error instanceof RpcError ? error.code : grpc.status.UNKNOWN;
      recorded.status = code;
      callback({ code, details: error instanceof Error ? error.message : String(error) });
    }
  }

  const port = await new Promise<number>((resolve, reject) => {
    const credentials = options.tls
      ? grpc.ServerCredentials.createSsl(null, [{ private_key: options.tls.keyPem, cert_chain: options.tls.certPem }])
      : grpc.ServerCredentials.createInsecure();
    server.bindAsync("127.0.0.1:0", credentials, (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });

  let stopped = false;
  return {
    address: `127.0.0.1:${port}`,
    calls,
    faults,
    stop() {
      if (stopped) return;
      stopped = true;
      server.forceShutdown();
    },
  };
}

/** The service with each response's bytes passed through the rewrite a test ordered, if any. */
function withRewrites(definition: grpc.ServiceDefinition, faults: Faults): grpc.ServiceDefinition {
  const rewritten: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    rewritten[name] = {
      ...method,
      responseSerialize: (value: unknown) => {
        const bytes = method.responseSerialize(value);
        const rewrite = faults.rewriteFor(method.path);
        return rewrite ? rewrite(bytes) : bytes;
      },
    };
  }
  return rewritten;
}
