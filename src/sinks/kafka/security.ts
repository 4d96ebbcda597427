/** Kafka TLS and SASL settings from the configuration, in the shape kafkajs takes them. */
import type { SASLOptions } from "kafkajs";
import type { Config } from "../../config/config.ts";

/** The `ssl` and `sasl` options of kafkajs's client; absent ones mean plaintext, no authentication. */
export interface KafkaSecurity {
  readonly ssl?: { ca?: Buffer[]; cert?: Buffer; key?: Buffer; servername?: string; rejectUnauthorized: true };
  readonly sasl?: SASLOptions;
}

export function kafkaSecurity(settings: Config["kafka"]["security"]): KafkaSecurity {
  const { tls, sasl } = settings;
  return {
    ...(tls && {
      ssl: {
        // Without a CA file, the brokers' certificates are checked against the system's CAs.
        ...(tls.caPem && { ca: [tls.caPem] }),
        ...(tls.certPem && { cert: tls.certPem }),
        ...(tls.keyPem && { key: tls.keyPem }),
        ...(tls.servername && { servername: tls.servername }),
        rejectUnauthorized: true,
      },
    }),
    ...(sasl && { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions }),
  };
}
