/**
 * gRPC clients for backends that speak the HoBom contracts: one per (connection, service), created
 * on first use, with TLS when configured, a receive limit large enough for the unbounded Finds,
 * `x-api-key` on every call, and a deadline on every call.
 */
import * as grpc from "@grpc/grpc-js";
import type { HoBomServices, ResponseDecoders, ServiceKey } from "./protos.ts";
import { toBackendCallError } from "./status.ts";

/** One backend: where it is, the key it expects, and its name in errors, logs and health. */
export interface ChannelTarget {
  readonly address: string;
  readonly apiKey: string;
  readonly name: string;
}

export interface CallOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Backends by connection name, reachable by unary calls. */
export interface BackendChannels {
  /** Calls `service/method` on a connection; rejects with a BackendCallError. */
  call<Res>(connection: string, service: ServiceKey, method: string, request: object, options: CallOptions): Promise<Res>;
  /** Waits until the connection's channel is ready (for health checks). */
  waitReady(connection: string, timeoutMs: number): Promise<void>;
  /** The backend's name, for errors, logs and health. */
  nameOf(connection: string): string;
  /** Closes every client; idempotent. */
  close(): void;
}

export function createBackendChannels(params: {
  services: HoBomServices;
  /** Responses of these services are decoded by these instead of grpc-js: the Finds, lazily. */
  decoders: ResponseDecoders;
  connections: Readonly<Record<string, ChannelTarget | undefined>>;
  tlsCaPem?: Buffer;
  maxReceiveBytes: number;
}): BackendChannels {
  const { services, connections } = params;
  const credentials = params.tlsCaPem ? grpc.credentials.createSsl(params.tlsCaPem) : grpc.credentials.createInsecure();
  const channelOptions: grpc.ChannelOptions = {
    "grpc.max_receive_message_length": params.maxReceiveBytes,
    "grpc.keepalive_time_ms": 30_000,
    // Per-call bookkeeping the relay never reads: channelz statistics, and the retry state machine
    // (the relay retries on its own terms). Both cost CPU on every one of 100,000 marks.
    "grpc.enable_channelz": 0,
    "grpc.enable_retries": 0,
  };
  const clients = new Map<string, grpc.Client>();

  function target(connection: string): ChannelTarget {
    const configured = connections[connection];
    if (!configured) throw new Error(`connection ${connection} is not configured`);
    return configured;
  }

  function client(connection: string, service: ServiceKey): grpc.Client {
    const id = `${connection}/${service}`;
    let existing = clients.get(id);
    if (!existing) {
      const Constructor = grpc.makeGenericClientConstructor(services[service], service);
      existing = new Constructor(target(connection).address, credentials, channelOptions);
      clients.set(id, existing);
    }
    return existing;
  }

  return {
    call<Res>(connection: string, service: ServiceKey, method: string, request: object, options: CallOptions) {
      const backend = target(connection).name;
      const definition = services[service][method];
      if (!definition) return Promise.reject(new Error(`${service} has no method ${method}`));
      const metadata = new grpc.Metadata();
      metadata.set("x-api-key", target(connection).apiKey);
      return new Promise<Res>((resolve, reject) => {
        if (options.signal?.aborted) {
          reject(toBackendCallError(backend, method, { code: grpc.status.CANCELLED, details: "stopping" }));
          return;
        }
        const call = client(connection, service).makeUnaryRequest(
          definition.path,
          definition.requestSerialize,
          params.decoders[service] ?? definition.responseDeserialize,
          request,
          metadata,
          { deadline: Date.now() + options.timeoutMs },
          (error, response) => {
            options.signal?.removeEventListener("abort", cancel);
            if (error) reject(toBackendCallError(backend, method, error));
            else resolve(response as Res);
          },
        );
        const cancel = () => call.cancel();
        options.signal?.addEventListener("abort", cancel, { once: true });
      });
    },
    waitReady(connection, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        // Any service's client will do: clients of one address share its connection.
        client(connection, "messageFind").waitForReady(Date.now() + timeoutMs, (error) => {
          if (error) reject(toBackendCallError(target(connection).name, "connect", { code: grpc.status.UNAVAILABLE, details: error.message }));
          else resolve();
        });
      });
    },
    nameOf: (connection) => target(connection).name,
    close() {
      for (const existing of clients.values()) existing.close();
      clients.clear();
    },
  };
}
