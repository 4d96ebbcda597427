/** The state in Redis: where it is, how it is reached, how long entries are kept. */
import { integer, optionalText, redisAddress, text } from "../config/parsers.ts";
import { variable } from "../config/variable.ts";

export const STATE_VARIABLES = {
  redisAddr: variable({
    name: "HOBOM_REDIS_ADDR",
    doc: "Redis holding the DLQ, delivery records and leases: host:port, a redis:// URL, or rediss:// for TLS.",
    example: "localhost:6379",
    fallback: "localhost:6379",
    parse: redisAddress,
  }),
  redisUsername: variable({
    name: "HOBOM_REDIS_USERNAME",
    doc: "Redis ACL user name (AUTH user password); default: the URL's user, else the default user.",
    example: "hobom-relay",
    parse: text,
  }),
  redisPassword: variable({ name: "HOBOM_REDIS_PASSWORD", doc: "Redis password (AUTH).", example: "s3cret", secret: true, parse: text }),
  redisTlsCaFile: variable({
    name: "HOBOM_REDIS_TLS_CA_FILE",
    doc: "PEM file of the CA that signs Redis's certificate, for a rediss:// address (default: the system's CAs).",
    example: "/etc/hobom/redis-ca.pem",
    parse: text,
  }),
  redisTimeoutMs: variable({
    name: "HOBOM_REDIS_TIMEOUT_MS",
    doc: "Deadline of every Redis command, in ms: a Redis that hangs fails the cycle this fast, and its rows stay PENDING.",
    example: "3000",
    fallback: "3000",
    parse: integer(100, 60_000),
  }),
  redisKeyPrefix: variable({
    name: "HOBOM_REDIS_KEY_PREFIX",
    doc: "Put before every Redis key; empty keeps the Go processor's keys (dlq:menu:…).",
    example: "staging:",
    fallback: "",
    parse: optionalText,
  }),
  dlqTtlSeconds: variable({
    name: "HOBOM_DLQ_TTL_SECONDS",
    doc: "How long a DLQ entry is kept, in seconds.",
    example: "259200",
    fallback: "259200",
    parse: integer(60),
  }),
  deliveryTtlSeconds: variable({
    name: "HOBOM_DELIVERY_RECORD_TTL_SECONDS",
    doc: "How long the record that an event reached Kafka is kept, in seconds; at least the DLQ TTL.",
    example: "604800",
    fallback: "604800",
    parse: integer(60),
  }),
} as const;
