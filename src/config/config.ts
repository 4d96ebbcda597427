/** The relay's configuration: parsed once from the environment, validated, frozen. */

/** Where one HoBom backend is and the key it expects. */
export interface BackendTarget {
  readonly address: string;
  readonly apiKey: string;
}

/** The four gRPC connections; a missing one disables its pipelines (main is missing only when a pipelines file declares the pipelines). */
export interface Connections {
  readonly main?: BackendTarget;
  readonly space?: BackendTarget;
  readonly angel?: BackendTarget;
  readonly llm?: BackendTarget;
}

export type ConnectionName = keyof Connections;

/** The Kafka topics, by the role they play. */
export interface Topics {
  readonly messages: string;
  readonly logs: string;
  readonly spaceEvents: string;
  readonly angelEvents: string;
}

export type TopicRole = keyof Topics;

export interface Config {
  readonly grpc: {
    readonly connections: Connections;
    /** PEM contents of the CA certificate, read at load time; absent means plaintext. */
    readonly tlsCaPem?: Buffer;
    readonly tlsCertPath?: string;
    readonly callTimeoutMs: number;
    readonly findTimeoutMs: number;
    readonly llmTimeoutMs: number;
    readonly maxReceiveBytes: number;
  };
  readonly kafka: {
    readonly brokers: readonly string[];
    /** kafkajs encoding: -1 is all. */
    readonly acks: -1 | 0 | 1;
    readonly clientId: string;
    readonly writeTimeoutMs: number;
    readonly maxMessageBytes: number;
    readonly backoffMs: readonly number[];
    readonly topics: Topics;
    readonly security: {
      /** TLS to the brokers; PEM contents read at load time. Absent: plaintext. */
      readonly tls?: { readonly caPem?: Buffer; readonly certPem?: Buffer; readonly keyPem?: Buffer; readonly servername?: string };
      readonly sasl?: { readonly mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; readonly username: string; readonly password: string };
    };
  };
  readonly redis: {
    readonly url: string;
    readonly username?: string;
    readonly password?: string;
    /** PEM contents of the CA for a rediss:// address, read at load time. */
    readonly tlsCaPem?: Buffer;
    /** Deadline of every command, in ms. */
    readonly timeoutMs: number;
    readonly keyPrefix: string;
    readonly dlqTtlSeconds: number;
    readonly deliveryTtlSeconds: number;
  };
  readonly relay: {
    readonly pollIntervalMs: number;
    readonly findBackoffMs: readonly number[];
    readonly markConcurrency: number;
    readonly gcEveryRows: number;
    readonly shutdownTimeoutMs: number;
    readonly leaseTtlMs: number;
    readonly healthProbeIntervalMs: number;
    readonly instanceId: string;
    readonly lawAttempts: number;
    readonly lawBackoffMs: readonly number[];
  };
  readonly http: {
    readonly hostname: string;
    readonly port: number;
    readonly internalApiKey?: string;
    /** HOBOM_INTERNAL_API_KEYS; empty when unset. */
    readonly internalApiKeys: readonly { readonly name: string; readonly key: string }[];
    readonly dlqAuth: boolean;
  };
  /** Pipelines declared beside the built-in ones, in this file. */
  readonly pipelinesFile?: string;
  readonly logLevel: "debug" | "info" | "warn" | "error";
}
