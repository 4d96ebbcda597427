/**
 * Every environment variable the relay reads, one row each. This table is the single source for
 * validation, `--help` and the README's configuration table.
 */
import {
  brokerList,
  grpcAddress,
  integer,
  integerList,
  listenAddress,
  oneOf,
  optionalText,
  type Parser,
  redisAddress,
  text,
} from "./parsers.ts";

export interface Variable<T> {
  readonly name: string;
  /** What it does, in the operator's words. */
  readonly doc: string;
  /** A valid value, shown in errors and in `--help`. */
  readonly example: string;
  /** Used when the variable is unset or empty; absent means optional with no value. */
  readonly fallback?: string;
  readonly required?: boolean;
  /** Never printed: api keys and passwords. */
  readonly secret?: boolean;
  readonly parse: Parser<T>;
}

function variable<T>(spec: Variable<T>): Variable<T> {
  return Object.freeze(spec);
}

const MS = integer(1, 3_600_000);

export const VARIABLES = {
  grpcAddr: variable({ name: "HOBOM_GRPC_ADDR", doc: "for-hobom-backend gRPC address (message, log and law outboxes, SaveStudyMaterial).", example: "localhost:50051", required: true, parse: grpcAddress }),
  grpcApiKey: variable({ name: "HOBOM_GRPC_API_KEY", doc: "x-api-key sent to for-hobom-backend; the other backends fall back to it.", example: "s3cret", required: true, secret: true, parse: text }),
  spaceAddr: variable({ name: "HOBOM_SPACE_GRPC_ADDR", doc: "hobom-space-backend gRPC address; enables the space and space-log pipelines.", example: "localhost:50052", parse: grpcAddress }),
  spaceApiKey: variable({ name: "HOBOM_SPACE_GRPC_API_KEY", doc: "x-api-key for hobom-space-backend (default: HOBOM_GRPC_API_KEY).", example: "s3cret", secret: true, parse: text }),
  angelAddr: variable({ name: "HOBOM_ANGEL_GRPC_ADDR", doc: "for-hobom-angel-backend gRPC address; enables the angel and angel-log pipelines.", example: "localhost:50053", parse: grpcAddress }),
  angelApiKey: variable({ name: "HOBOM_ANGEL_GRPC_API_KEY", doc: "x-api-key for for-hobom-angel-backend (default: HOBOM_GRPC_API_KEY).", example: "s3cret", secret: true, parse: text }),
  llmAddr: variable({ name: "HOBOM_LLM_GRPC_ADDR", doc: "hobom-llm-service-backend gRPC address; enables the law pipeline.", example: "localhost:50054", parse: grpcAddress }),
  llmApiKey: variable({ name: "HOBOM_LLM_GRPC_API_KEY", doc: "x-api-key for hobom-llm-service-backend (default: HOBOM_GRPC_API_KEY).", example: "s3cret", secret: true, parse: text }),
  tlsCert: variable({ name: "HOBOM_GRPC_TLS_CERT", doc: "PEM file of the CA that signs the backends' certificates; when set every gRPC connection uses TLS, and a file that cannot be read stops the start.", example: "/etc/hobom/ca.pem", parse: text }),
  grpcTimeoutMs: variable({ name: "HOBOM_GRPC_TIMEOUT_MS", doc: "Deadline of every mark, save and health call, in ms.", example: "10000", fallback: "10000", parse: MS }),
  findTimeoutMs: variable({ name: "HOBOM_GRPC_FIND_TIMEOUT_MS", doc: "Deadline of a Find call (Finds return every pending row), in ms.", example: "30000", fallback: "30000", parse: MS }),
  llmTimeoutMs: variable({ name: "HOBOM_LLM_TIMEOUT_MS", doc: "Deadline of one LLM Generate call, in ms.", example: "120000", fallback: "120000", parse: MS }),
  grpcMaxReceiveBytes: variable({ name: "HOBOM_GRPC_MAX_RECEIVE_BYTES", doc: "Largest gRPC response accepted, in bytes (Finds are unbounded).", example: "67108864", fallback: "67108864", parse: integer(4 * 1024 * 1024, 2 ** 31 - 1) }),

  kafkaBrokers: variable({ name: "HOBOM_KAFKA_BROKER", doc: "Kafka bootstrap broker, or a comma-separated list.", example: "localhost:9092,localhost:9093", fallback: "localhost:9092", parse: brokerList }),
  kafkaAcks: variable({ name: "HOBOM_KAFKA_ACKS", doc: "Acknowledgements Kafka gives before a send counts as delivered: all, 1 or 0. Only `all` enables the idempotent producer.", example: "all", fallback: "all", parse: oneOf("all", "1", "0") }),
  kafkaClientId: variable({ name: "HOBOM_KAFKA_CLIENT_ID", doc: "Kafka client id.", example: "hobom-event-processor", fallback: "hobom-event-processor", parse: text }),
  kafkaWriteTimeoutMs: variable({ name: "HOBOM_KAFKA_WRITE_TIMEOUT_MS", doc: "How long one Kafka send may wait for its acknowledgement, in ms.", example: "10000", fallback: "10000", parse: MS }),
  kafkaMaxMessageBytes: variable({ name: "HOBOM_KAFKA_MAX_MESSAGE_BYTES", doc: "Largest record the relay sends; log arrays are split to fit, larger single events go to the DLQ.", example: "1000000", fallback: "1000000", parse: integer(1024, 100_000_000) }),
  kafkaTls: variable({ name: "HOBOM_KAFKA_TLS", doc: "`on` connects to the brokers over TLS (SSL or SASL_SSL listeners), checking their certificates against HOBOM_KAFKA_TLS_CA_FILE or the system's CAs.", example: "on", fallback: "off", parse: oneOf("on", "off") }),
  kafkaTlsCaFile: variable({ name: "HOBOM_KAFKA_TLS_CA_FILE", doc: "PEM file of the CA that signs the brokers' certificates (needs HOBOM_KAFKA_TLS=on); unreadable stops the start.", example: "/etc/hobom/kafka-ca.pem", parse: text }),
  kafkaTlsCertFile: variable({ name: "HOBOM_KAFKA_TLS_CERT_FILE", doc: "PEM client certificate for mutual TLS, with HOBOM_KAFKA_TLS_KEY_FILE.", example: "/etc/hobom/kafka-client.pem", parse: text }),
  kafkaTlsKeyFile: variable({ name: "HOBOM_KAFKA_TLS_KEY_FILE", doc: "PEM private key of HOBOM_KAFKA_TLS_CERT_FILE (unencrypted; keep the file mode 0600).", example: "/etc/hobom/kafka-client.key", parse: text }),
  kafkaTlsServername: variable({ name: "HOBOM_KAFKA_TLS_SERVERNAME", doc: "Name the brokers' certificates are checked against, when it is not the host in HOBOM_KAFKA_BROKER.", example: "kafka.internal", parse: text }),
  kafkaSaslMechanism: variable({ name: "HOBOM_KAFKA_SASL_MECHANISM", doc: "SASL authentication: plain, scram-sha-256 or scram-sha-512 (unset: none); needs the user name and password.", example: "scram-sha-512", parse: oneOf("plain", "scram-sha-256", "scram-sha-512") }),
  kafkaSaslUsername: variable({ name: "HOBOM_KAFKA_SASL_USERNAME", doc: "SASL user name.", example: "hobom-relay", parse: text }),
  kafkaSaslPassword: variable({ name: "HOBOM_KAFKA_SASL_PASSWORD", doc: "SASL password.", example: "s3cret", secret: true, parse: text }),
  kafkaBackoffMs: variable({ name: "HOBOM_KAFKA_BACKOFF_MS", doc: "Waits while Kafka, or the leader of one partition, is unreachable, in ms, the last repeated.", example: "1000,2000,5000,10000", fallback: "1000,2000,5000,10000", parse: integerList(1, 3_600_000) }),
  topicMessages: variable({ name: "HOBOM_TOPIC_MESSAGES", doc: "Topic of the message pipeline.", example: "hobom.messages", fallback: "hobom.messages", parse: text }),
  topicLogs: variable({ name: "HOBOM_TOPIC_LOGS", doc: "Topic of the log, space-log and angel-log pipelines.", example: "hobom.logs", fallback: "hobom.logs", parse: text }),
  topicSpaceEvents: variable({ name: "HOBOM_TOPIC_SPACE_EVENTS", doc: "Topic of the space pipeline.", example: "hobom.space-events", fallback: "hobom.space-events", parse: text }),
  topicAngelEvents: variable({ name: "HOBOM_TOPIC_ANGEL_EVENTS", doc: "Topic of the angel pipeline.", example: "hobom.angel-events", fallback: "hobom.angel-events", parse: text }),

  redisAddr: variable({ name: "HOBOM_REDIS_ADDR", doc: "Redis holding the DLQ, delivery records and leases: host:port, a redis:// URL, or rediss:// for TLS.", example: "localhost:6379", fallback: "localhost:6379", parse: redisAddress }),
  redisUsername: variable({ name: "HOBOM_REDIS_USERNAME", doc: "Redis ACL user name (AUTH user password); default: the URL's user, else the default user.", example: "hobom-relay", parse: text }),
  redisPassword: variable({ name: "HOBOM_REDIS_PASSWORD", doc: "Redis password (AUTH).", example: "s3cret", secret: true, parse: text }),
  redisTlsCaFile: variable({ name: "HOBOM_REDIS_TLS_CA_FILE", doc: "PEM file of the CA that signs Redis's certificate, for a rediss:// address (default: the system's CAs).", example: "/etc/hobom/redis-ca.pem", parse: text }),
  redisTimeoutMs: variable({ name: "HOBOM_REDIS_TIMEOUT_MS", doc: "Deadline of every Redis command, in ms: a Redis that hangs fails the cycle this fast, and its rows stay PENDING.", example: "3000", fallback: "3000", parse: integer(100, 60_000) }),
  redisKeyPrefix: variable({ name: "HOBOM_REDIS_KEY_PREFIX", doc: "Put before every Redis key; empty keeps the Go processor's keys (dlq:menu:…).", example: "staging:", fallback: "", parse: optionalText }),
  dlqTtlSeconds: variable({ name: "HOBOM_DLQ_TTL_SECONDS", doc: "How long a DLQ entry is kept, in seconds.", example: "259200", fallback: "259200", parse: integer(60) }),
  deliveryTtlSeconds: variable({ name: "HOBOM_DELIVERY_RECORD_TTL_SECONDS", doc: "How long the record that an event reached Kafka is kept, in seconds; at least the DLQ TTL.", example: "604800", fallback: "604800", parse: integer(60) }),

  pollIntervalMs: variable({ name: "HOBOM_POLL_INTERVAL_MS", doc: "Time from the start of one cycle to the next Find, in ms: a row waits at most this long for its Find (after a longer cycle the next Find comes at once).", example: "5000", fallback: "5000", parse: MS }),
  findBackoffMs: variable({ name: "HOBOM_FIND_BACKOFF_MS", doc: "Waits after consecutive failed cycles, in ms, the last repeated.", example: "10000,20000,40000,60000", fallback: "10000,20000,40000,60000", parse: integerList(1, 3_600_000) }),
  markConcurrency: variable({ name: "HOBOM_MARK_CONCURRENCY", doc: "Marks in flight at once per pipeline.", example: "32", fallback: "32", parse: integer(1, 1024) }),
  gcEveryRows: variable({ name: "HOBOM_GC_EVERY_ROWS", doc: "Rows marked (SENT or FAILED) between two full garbage collections, which keep a large backlog's drain in bounded memory (fewer: less memory, more CPU); 0 leaves collection to the runtime.", example: "1000", fallback: "1000", parse: integer(0, 1_000_000) }),
  shutdownTimeoutMs: variable({ name: "HOBOM_SHUTDOWN_TIMEOUT_MS", doc: "How long a stop waits for the cycle in flight to finish its publishes and marks, in ms.", example: "10000", fallback: "10000", parse: MS }),
  leaseTtlMs: variable({ name: "HOBOM_LEASE_TTL_MS", doc: "Lease that makes one instance the owner of a pipeline, in ms: another instance takes over this long after the owner died.", example: "15000", fallback: "15000", parse: integer(1000, 600_000) }),
  instanceId: variable({ name: "HOBOM_INSTANCE_ID", doc: "This instance's name in leases, logs and /health (default: hostname-pid).", example: "deploy-1", parse: text }),
  lawAttempts: variable({ name: "HOBOM_LAW_GENERATE_ATTEMPTS", doc: "LLM Generate attempts per law event before it goes to the DLQ.", example: "3", fallback: "3", parse: integer(1, 20) }),
  lawBackoffMs: variable({ name: "HOBOM_LAW_GENERATE_BACKOFF_MS", doc: "Waits between Generate attempts, in ms, the last repeated.", example: "500,1000", fallback: "500,1000", parse: integerList(0, 600_000) }),

  httpAddr: variable({ name: "HOBOM_HTTP_ADDR", doc: "Listen address of the HTTP API (DLQ, health, metrics).", example: ":8082", fallback: ":8082", parse: listenAddress }),
  internalApiKey: variable({ name: "HOBOM_INTERNAL_API_KEY", doc: "x-api-key that the DLQ routes require.", example: "s3cret", secret: true, parse: text }),
  dlqAuth: variable({ name: "HOBOM_DLQ_AUTH", doc: "`off` lets the DLQ routes run without HOBOM_INTERNAL_API_KEY (warned at start).", example: "on", fallback: "on", parse: oneOf("on", "off") }),
  logLevel: variable({ name: "HOBOM_LOG_LEVEL", doc: "Lowest level logged: debug, info, warn or error.", example: "info", fallback: "info", parse: oneOf("debug", "info", "warn", "error") }),
} as const;

/** Every variable, in the order `--help` and the README list them. */
export const VARIABLE_LIST: readonly Variable<unknown>[] = Object.values(VARIABLES);
