/**
 * The Kafka sink, on kafkajs, driven so that one kafkajs send carries the records of exactly one
 * partition. kafkajs's own multi-partition send cannot be trusted on a cluster:
 *
 * - its retry inside a send asks only brokers that have not answered yet, with fresh metadata, so
 *   a partition whose leader moved to a broker that had already answered is dropped, and the send
 *   resolves (records lost, rows marked SENT);
 * - one refused partition makes it throw for the whole request and roll back the sequence numbers
 *   of every partition in it, also those the broker wrote; the next send then meets stale
 *   sequences (OUT_OF_ORDER_SEQUENCE_NUMBER) or is taken for a duplicate.
 *
 * With one partition per send, a retry can only go to that partition's current leader, a failure
 * rolls back only that partition's sequence, and every record's outcome is its partition's. The
 * partition is chosen here, by the same murmur2 hash as Kafka's clients, from the partition count in
 * the producer's own metadata (a small kafkajs patch exposes it). Sends to one partition are
 * serialised (kafkajs issue 598: concurrent sends to one partition reach it out of order); the
 * partitions of a delivery are sent side by side. After a retriable failure the producer is
 * replaced (see producers.ts).
 */
import { Kafka, type LogEntry, logLevel } from "kafkajs";
import { withDeadline } from "../../engine/deadline.ts";
import { DependencyError } from "../../engine/errors.ts";
import type { DeliveryOutcome, Sink } from "../../engine/ports.ts";
import { createSerial, type Serial } from "../../engine/serial.ts";
import type { Logger } from "../../observability/logger.ts";
import { classifyKafkaError, neverSent } from "./classify.ts";
import { KafkaSendError, KafkaUnreachableError } from "./errors.ts";
import { KAFKA_FRAMING, type KafkaMessage } from "./message.ts";
import { createPartitionGates, type GateChange } from "./partition-gates.ts";
import { partitionOf } from "./partitioner.ts";
import { pingCluster } from "./ping.ts";
import { createProducers, type ProducerHandle, type TopicLayout } from "./producers.ts";
import type { KafkaSecurity } from "./security.ts";

export interface KafkaSink extends Sink<KafkaMessage> {
  /** Connects the producer; the relay starts without Kafka and connects on the first delivery too. */
  connect(): Promise<void>;
  /** A metadata round trip to the cluster, for health checks. */
  ping(timeoutMs: number): Promise<void>;
  /** How many partitions of each topic wait for their leader right now. */
  unavailablePartitions(): Map<string, number>;
}

export interface KafkaSinkOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** -1 (all), 0 or 1. The idempotent producer needs -1. */
  readonly acks: -1 | 0 | 1;
  readonly writeTimeoutMs: number;
  /** Largest delivery, framing included, and largest record. */
  readonly maxMessageBytes: number;
  /** Waits while a partition's leader is unreachable, the last repeated. */
  readonly backoffMs: readonly number[];
  readonly security?: KafkaSecurity;
  readonly log: Logger;
  /** Told when a partition's outage begins and ends. */
  readonly onPartitionChange?: (change: GateChange) => void;
}

/** How long the check "is the cluster reachable at all?" after a delivery that reached no one may take. */
const DIAGNOSE_TIMEOUT_MS = 3000;

export function createKafkaSink(options: KafkaSinkOptions): KafkaSink {
  const client = (brokers: readonly string[] | (() => string[])) =>
    new Kafka({
      clientId: options.clientId,
      brokers: typeof brokers === "function" ? brokers : [...brokers],
      ...options.security,
      connectionTimeout: 3000,
      requestTimeout: options.writeTimeoutMs,
      // The reference behaviour: 3 attempts, 200 ms then 400 ms. Longer outages are the gates' and the breaker's.
      retry: { retries: 2, initialRetryTime: 200, multiplier: 2, factor: 0, maxRetryTime: 400 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => kafkajsLog(options.log, entry),
    });
  // kafkajs starts every client (each new producer) at the first bootstrap broker, and stays there
  // when a request to it times out: a paused broker accepts connections and answers nothing, and
  // every new producer would wait for it. Each start (and kafkajs's own next try) takes the next
  // broker in turn; the others are learnt from the metadata as before.
  let seed = 0;
  const kafka = client(() => [options.brokers[seed++ % options.brokers.length] as string]);
  const producers = createProducers(kafka, { idempotent: options.acks === -1 });
  const gates = createPartitionGates({ backoffMs: options.backoffMs, onChange: options.onPartitionChange });
  const queues = new Map<string, Serial>();

  const sendPartition = async (handle: ProducerHandle, topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<DeliveryOutcome> => {
    const closedUntil = gates.closedUntil(topic, partition);
    if (closedUntil > 0) {
      const error = new DependencyError("kafka", `partition ${partition} of ${topic} waits for its leader until ${new Date(closedUntil).toISOString()}`, {
        retriable: true,
      });
      return { ok: false, kind: "deferred", error };
    }
    const queueId = `${partition}\u0000${topic}`;
    let queue = queues.get(queueId);
    if (!queue) {
      queue = createSerial();
      queues.set(queueId, queue);
    }
    try {
      // Bounded as a whole: kafkajs waits its request timeout for each of its attempts at a broker
      // that accepts connections and does not answer (paused, not dead), and the delivery, with
      // every other partition's acknowledged records, would wait for all of them. A send that
      // outlives it fails with its outcome unknown: the producer is replaced below, and a record
      // that broker writes after all is the one send's worth of duplicates the README allows.
      await queue(() =>
        withDeadline(
          handle.send({
            topic,
            acks: options.acks,
            timeout: options.writeTimeoutMs,
            messages: messages.map((message) => ({ key: message.key, value: message.value, headers: { ...message.headers }, partition })),
          }),
          options.writeTimeoutMs,
          () => new Error(`no acknowledgement within HOBOM_KAFKA_WRITE_TIMEOUT_MS (${options.writeTimeoutMs} ms)`),
        ),
      );
      gates.succeeded(topic, partition);
      return { ok: true };
    } catch (error) {
      const classified = classifyKafkaError(topic, error);
      if (!classified.retriable) return { ok: false, kind: "rejected", error: classified, split: classified.scope === "records" && messages.length > 1 };
      gates.failed(topic, partition, classified);
      // A request that never left (the connection was refused) cannot have been written: its
      // sequence numbers are free to use again, and the producer stays.
      if (!neverSent(error)) producers.retire(handle);
      return { ok: false, kind: "deferred", error: classified };
    }
  };

  /** One topic's messages, each to its key's partition, the partitions side by side. */
  const deliverTopic = async (
    handle: ProducerHandle,
    topic: string,
    messages: readonly KafkaMessage[],
  ): Promise<{ outcomes: DeliveryOutcome[]; tried: boolean }> => {
    let layout: TopicLayout;
    try {
      layout = await producers.partitions(handle, topic);
    } catch (error) {
      if (!(error instanceof KafkaSendError)) throw error;
      // The name cannot be a topic: every record for it is refused, none is to blame more than another.
      return { outcomes: messages.map(() => ({ ok: false, kind: "rejected", error })), tried: false };
    }
    const byPartition = new Map<number, number[]>();
    messages.forEach((message, index) => {
      const partition = partitionOf(message.key, layout.count);
      const indices = byPartition.get(partition);
      if (indices) indices.push(index);
      else byPartition.set(partition, [index]);
    });
    const outcomes: DeliveryOutcome[] = new Array(messages.length);
    // A partition the metadata says has no leader is asked about again once its gate lets it try;
    // still without one, it waits at once: a send to it would only stall the others (kafkajs
    // retries a broker it cannot find) and then fail.
    const due = (partition: number) => layout.leaderless.has(partition) && gates.closedUntil(topic, partition) === 0;
    if ([...byPartition.keys()].some(due)) layout = await producers.partitions(handle, topic, true).catch(() => layout);
    for (const [partition, indices] of byPartition) {
      if (!due(partition)) continue;
      const error = new KafkaSendError(topic, `partition ${partition} of ${topic} has no leader (its broker is down and no in-sync replica took over)`, {
        retriable: true,
      });
      gates.failed(topic, partition, error);
      for (const index of indices) outcomes[index] = { ok: false, kind: "deferred", error };
      byPartition.delete(partition);
    }
    let tried = false;
    await Promise.all(
      [...byPartition].map(async ([partition, indices]) => {
        tried ||= gates.closedUntil(topic, partition) === 0;
        const outcome = await sendPartition(
          handle,
          topic,
          partition,
          indices.map((index) => messages[index] as KafkaMessage),
        );
        for (const index of indices) outcomes[index] = outcome;
      }),
    );
    return { outcomes, tried };
  };

  const ping = (timeoutMs: number) => pingCluster(client, options.brokers, timeoutMs);

  /**
   * A delivery that reached no one, or a producer that could not start, says nothing yet about
   * whom: the cluster as a whole (thrown, for the breaker) or only some brokers (the partitions
   * wait behind their gates). A client of its own asks whether any broker answers.
   */
  const diagnose = (cause: unknown) =>
    ping(DIAGNOSE_TIMEOUT_MS).catch((error: unknown) => {
      throw cause instanceof KafkaUnreachableError ? cause : error;
    });

  return {
    limits: {
      maxEvents: Number.POSITIVE_INFINITY,
      maxBytes: options.maxMessageBytes,
      maxBytesSetting: "HOBOM_KAFKA_MAX_MESSAGE_BYTES",
      framing: KAFKA_FRAMING,
    },
    // A record sent twice is a duplicate, nothing worse; the delivery records keep those rare.
    idempotent: true,
    connect: () => producers.connect(producers.current()),
    async deliver(messages) {
      const handle = producers.current();
      const byTopic = new Map<string, number[]>();
      messages.forEach((message, index) => {
        const indices = byTopic.get(message.topic);
        if (indices) indices.push(index);
        else byTopic.set(message.topic, [index]);
      });
      const outcomes: DeliveryOutcome[] = new Array(messages.length);
      let tried = false;
      for (const [topic, indices] of byTopic) {
        let result: { outcomes: DeliveryOutcome[]; tried: boolean };
        try {
          result = await deliverTopic(
            handle,
            topic,
            indices.map((index) => messages[index] as KafkaMessage),
          );
        } catch (error) {
          if (!(error instanceof KafkaUnreachableError)) throw error;
          // The producer could not start or learn the topic (a broker it picked is down): unless no
          // broker answers at all, the records wait, and the next delivery tries a new producer.
          await diagnose(error);
          producers.retire(handle);
          result = { outcomes: indices.map(() => ({ ok: false, kind: "deferred", error })), tried: false };
        }
        tried ||= result.tried;
        indices.forEach((index, position) => {
          outcomes[index] = result.outcomes[position] as DeliveryOutcome;
        });
      }
      if (tried && outcomes.every((outcome) => !outcome.ok && outcome.kind === "deferred")) {
        await diagnose((outcomes[0] as { error: unknown }).error);
      }
      return outcomes;
    },
    ping,
    unavailablePartitions: () => gates.closedPerTopic(),
    close: () => producers.close(),
  };
}

/** kafkajs reports every reconnect attempt; the breaker and the gates log outages once, so these are debug. */
function kafkajsLog(log: Logger, entry: LogEntry) {
  const { message, ...fields } = entry.log;
  log.debug(`kafkajs: ${message}`, { namespace: entry.namespace, ...fields });
}
