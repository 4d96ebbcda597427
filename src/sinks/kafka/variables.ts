/** The Kafka sink: the cluster, delivery guarantees, limits, TLS and SASL. */
import { brokerList, integer, integerList, oneOf, text } from "../../config/parsers.ts";
import { MS, variable } from "../../config/variable.ts";

export const KAFKA_VARIABLES = {
  kafkaBrokers: variable({
    name: "HOBOM_KAFKA_BROKER",
    doc: "Kafka bootstrap broker, or a comma-separated list.",
    example: "localhost:9092,localhost:9093",
    fallback: "localhost:9092",
    parse: brokerList,
  }),
  kafkaAcks: variable({
    name: "HOBOM_KAFKA_ACKS",
    doc: "Acknowledgements Kafka gives before a send counts as delivered: all, 1 or 0. Only `all` enables the idempotent producer.",
    example: "all",
    fallback: "all",
    parse: oneOf("all", "1", "0"),
  }),
  kafkaClientId: variable({
    name: "HOBOM_KAFKA_CLIENT_ID",
    doc: "Kafka client id.",
    example: "hobom-event-processor",
    fallback: "hobom-event-processor",
    parse: text,
  }),
  kafkaWriteTimeoutMs: variable({
    name: "HOBOM_KAFKA_WRITE_TIMEOUT_MS",
    doc: "How long one Kafka send may wait for its acknowledgement, in ms.",
    example: "10000",
    fallback: "10000",
    parse: MS,
  }),
  kafkaMaxMessageBytes: variable({
    name: "HOBOM_KAFKA_MAX_MESSAGE_BYTES",
    doc: "Largest record the relay sends; log arrays are split to fit, larger single events go to the DLQ.",
    example: "1000000",
    fallback: "1000000",
    parse: integer(1024, 100_000_000),
  }),
  kafkaTls: variable({
    name: "HOBOM_KAFKA_TLS",
    doc: "`on` connects to the brokers over TLS (SSL or SASL_SSL listeners), checking their certificates against HOBOM_KAFKA_TLS_CA_FILE or the system's CAs.",
    example: "on",
    fallback: "off",
    parse: oneOf("on", "off"),
  }),
  kafkaTlsCaFile: variable({
    name: "HOBOM_KAFKA_TLS_CA_FILE",
    doc: "PEM file of the CA that signs the brokers' certificates (needs HOBOM_KAFKA_TLS=on); unreadable stops the start.",
    example: "/etc/hobom/kafka-ca.pem",
    parse: text,
  }),
  kafkaTlsCertFile: variable({
    name: "HOBOM_KAFKA_TLS_CERT_FILE",
    doc: "PEM client certificate for mutual TLS, with HOBOM_KAFKA_TLS_KEY_FILE.",
    example: "/etc/hobom/kafka-client.pem",
    parse: text,
  }),
  kafkaTlsKeyFile: variable({
    name: "HOBOM_KAFKA_TLS_KEY_FILE",
    doc: "PEM private key of HOBOM_KAFKA_TLS_CERT_FILE (unencrypted; keep the file mode 0600).",
    example: "/etc/hobom/kafka-client.key",
    parse: text,
  }),
  kafkaTlsServername: variable({
    name: "HOBOM_KAFKA_TLS_SERVERNAME",
    doc: "Name the brokers' certificates are checked against, when it is not the host in HOBOM_KAFKA_BROKER.",
    example: "kafka.internal",
    parse: text,
  }),
  kafkaSaslMechanism: variable({
    name: "HOBOM_KAFKA_SASL_MECHANISM",
    doc: "SASL authentication: plain, scram-sha-256 or scram-sha-512 (unset: none); needs the user name and password.",
    example: "scram-sha-512",
    parse: oneOf("plain", "scram-sha-256", "scram-sha-512"),
  }),
  kafkaSaslUsername: variable({ name: "HOBOM_KAFKA_SASL_USERNAME", doc: "SASL user name.", example: "hobom-relay", parse: text }),
  kafkaSaslPassword: variable({ name: "HOBOM_KAFKA_SASL_PASSWORD", doc: "SASL password.", example: "s3cret", secret: true, parse: text }),
  kafkaBackoffMs: variable({
    name: "HOBOM_KAFKA_BACKOFF_MS",
    doc: "Waits while Kafka, or the leader of one partition, is unreachable, in ms, the last repeated.",
    example: "1000,2000,5000,10000",
    fallback: "1000,2000,5000,10000",
    parse: integerList(1, 3_600_000),
  }),
} as const;
