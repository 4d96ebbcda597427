/**
 * Is the cluster reachable at all? A metadata round trip that fails within its timeout only when
 * no broker answers. Each broker is asked on a client of its own: one client asks one broker, and
 * a broker that is paused (its connections open, nothing answering) would make the whole cluster
 * look down, and open the breaker for every pipeline while the other brokers lead and answer.
 */
import type { Kafka } from "kafkajs";
import { withDeadline } from "../../engine/deadline.ts";
import { describeKafkaError } from "./classify.ts";
import { KafkaUnreachableError } from "./errors.ts";

export async function pingCluster(client: (brokers: readonly string[]) => Kafka, brokers: readonly string[], timeoutMs: number): Promise<void> {
  const admins = brokers.map((broker) => client([broker]).admin());
  try {
    await withDeadline(
      Promise.any(admins.map((admin) => admin.connect().then(() => admin.describeCluster()))),
      timeoutMs,
      () => new KafkaUnreachableError(`no broker answered a metadata request within ${timeoutMs} ms`),
    );
  } catch (error) {
    if (error instanceof KafkaUnreachableError) throw error;
    const first = error instanceof AggregateError ? error.errors[0] : error;
    throw new KafkaUnreachableError(describeKafkaError(first), { cause: first });
  } finally {
    for (const admin of admins) admin.disconnect().catch(() => {});
  }
}
