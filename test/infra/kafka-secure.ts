/**
 * A private single-node Kafka with the client security production may ask of the relay: TLS with
 * SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and TLS with client certificates, beside a PLAINTEXT
 * listener for the test's own set-up. Certificates are made for each broker (certificates.ts)
 * and read by Kafka as PEM files (KIP-651); SCRAM credentials are written at format time (KIP-900).
 */
import { join } from "node:path";
import { makeCertificates } from "./certificates.ts";
import { freshKafkaDir, reapAbandonedKafkaDirs } from "./kafka-dirs.ts";
import { kafkaJars } from "./kafka-jars.ts";
import { KafkaNode, SMALL_NODE_JVM } from "./kafka-node.ts";
import { newClusterId, writeNodeConfig } from "./kafka-node-config.ts";
import { freePorts, randomSuffix, removeOnExit } from "./processes.ts";

/** A user name and its password. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A running secure broker; each listener is one "127.0.0.1:<port>" address. */
export interface SecureKafkaBroker {
  /** No security: for creating topics and reading back in tests. */
  readonly plaintext: string;
  /** SASL over TLS; mechanisms PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (one user each, `users`). */
  readonly saslSsl: string;
  /** TLS that requires a client certificate signed by files.caCert (mutual TLS). */
  readonly ssl: string;
  /** PEM files: the CA that signed the broker's and the client's certificates, the client's pair, an unrelated CA. */
  readonly files: { readonly caCert: string; readonly clientCert: string; readonly clientKey: string; readonly otherCaCert: string };
  /** The users the SASL_SSL listener knows, one per mechanism. */
  readonly users: { readonly plain: Credentials; readonly scram256: Credentials; readonly scram512: Credentials };
  /** Broker stdout + stderr. */
  readonly logFile: string;
  /** Graceful shutdown (SIGTERM); resolves once the process has exited. */
  stop(): Promise<void>;
  /** Crash (SIGKILL); resolves once the process has exited. */
  kill(): Promise<void>;
}

/**
 * Starts a secure broker in .testbed/kafka/<name>/ (certificates included) and resolves once it
 * serves. It dies with the test process, and its directory is removed then.
 */
export async function startSecureKafkaBroker(options: { name?: string } = {}): Promise<SecureKafkaBroker> {
  reapAbandonedKafkaDirs();
  const jars = await kafkaJars();
  const dir = freshKafkaDir(options.name ?? `secure-${randomSuffix()}`, true);
  removeOnExit(dir);
  const certificates = await makeCertificates(join(dir, "tls"));
  const [plainPort, saslPort, sslPort, controllerPort] = freePorts(4) as [number, number, number, number];
  const secret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("hex");
  const users = {
    plain: { username: "plain-user", password: secret() },
    scram256: { username: "scram256-user", password: secret() },
    scram512: { username: "scram512-user", password: secret() },
  };
  const listeners = `PLAINTEXT://127.0.0.1:${plainPort},SASL_SSL://127.0.0.1:${saslPort},SSL://127.0.0.1:${sslPort}`;
  writeNodeConfig(dir, {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: `${listeners},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": listeners,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,CONTROLLER:PLAINTEXT",
    "log.dirs": join(dir, "data"),
    "num.partitions": "1",
    // One node: the cluster defaults (3) would leave consumer groups without a coordinator.
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    "log.cleaner.dedupe.buffer.size": "16777216",
    // Both TLS listeners: the key and its chain in one PEM file; the CA to check client certificates.
    "ssl.keystore.type": "PEM",
    "ssl.keystore.location": certificates.serverKeyStore,
    "ssl.truststore.type": "PEM",
    "ssl.truststore.location": certificates.caCert,
    "listener.name.ssl.ssl.client.auth": "required",
    "listener.name.sasl_ssl.sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
    "listener.name.sasl_ssl.plain.sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required user_${users.plain.username}="${users.plain.password}";`,
    // SCRAM users live in the cluster metadata (written by format --add-scram), not in JAAS.
    "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required;",
    "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required;",
  });
  const node = new KafkaNode({
    id: 1,
    dir,
    logFile: join(dir, "broker.log"),
    address: `127.0.0.1:${plainPort}`,
    jars,
    jvm: SMALL_NODE_JVM,
    detached: false,
  });
  await node.format(newClusterId(), [
    ...["--add-scram", `SCRAM-SHA-256=[name=${users.scram256.username},password=${users.scram256.password}]`],
    ...["--add-scram", `SCRAM-SHA-512=[name=${users.scram512.username},password=${users.scram512.password}]`],
  ]);
  await node.start();
  return {
    plaintext: node.address,
    saslSsl: `127.0.0.1:${saslPort}`,
    ssl: `127.0.0.1:${sslPort}`,
    files: {
      caCert: certificates.caCert,
      clientCert: certificates.clientCert,
      clientKey: certificates.clientKey,
      otherCaCert: certificates.otherCaCert,
    },
    users,
    logFile: node.logFile,
    stop: () => node.stop(),
    kill: () => node.kill(),
  };
}
