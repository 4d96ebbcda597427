/**
 * A plain @grpc/grpc-js client for any HoBom service, for tests that talk to a double directly
 * (the doubles' own tests). It sends x-api-key like the relay does and turns a call into a promise
 * that rejects with the grpc.ServiceError, so tests can assert on `code`.
 */
import * as grpc from "@grpc/grpc-js";

export interface RawClientOptions {
  /** Sent as x-api-key on every call unless a call overrides it. */
  apiKey: string;
  /** e.g. { "grpc.max_receive_message_length": 64 * 1024 * 1024 }. */
  channelOptions?: grpc.ChannelOptions;
}

export interface RawCallOptions {
  /** Overrides the client's key for this call; `null` sends no x-api-key at all. */
  apiKey?: string | null;
  /** A deadline this many ms from now. */
  deadlineMs?: number;
}

export class RawClient {
  readonly #service: grpc.ServiceDefinition;
  readonly #client: grpc.Client;
  readonly #apiKey: string;

  constructor(service: grpc.ServiceDefinition, address: string, options: RawClientOptions) {
    const Client = grpc.makeGenericClientConstructor(service, "RawClient");
    this.#service = service;
    this.#client = new Client(address, grpc.credentials.createInsecure(), options.channelOptions);
    this.#apiKey = options.apiKey;
  }

  /** Calls the unary `method` (its name in the .proto) and resolves with the decoded response. */
  call<Res>(method: string, request: object, options: RawCallOptions = {}): Promise<Res> {
    const definition = this.#service[method];
    if (!definition) throw new Error(`service has no method ${method}`);
    const metadata = new grpc.Metadata();
    const apiKey = options.apiKey === undefined ? this.#apiKey : options.apiKey;
    if (apiKey !== null) metadata.set("x-api-key", apiKey);
    const callOptions: grpc.CallOptions = options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs };
    return new Promise<Res>((resolve, reject) => {
      this.#client.makeUnaryRequest<object, Res>(
        definition.path,
        definition.requestSerialize,
        definition.responseDeserialize,
        request,
        metadata,
        callOptions,
        (error, response) => (error ? reject(error) : resolve(response as Res)),
      );
    });
  }

  close(): void {
    this.#client.close();
  }
}

/**
 * The status a call ended with: OK when it resolved, else the error's code. Tests assert on this
 * instead of `expect(call).rejects`: with Bun 1.4.5, `rejects` on a still-pending grpc-js call
 * never settles (the test times out), while awaiting the call and matching the result works.
 */
export async function statusOf(call: Promise<unknown>): Promise<grpc.status> {
  try {
    await call;
    return grpc.status.OK;
  } catch (error) {
    if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "number") {
      return error.code;
    }
    throw error;
  }
}
