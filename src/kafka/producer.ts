/**
 * The Kafka side of the relay, on kafkajs: one producer, one send in flight at a time, and a new
 * producer after a send whose outcome is unknown.
 *
 * Sends are serialised because kafkajs's idempotent producer assigns sequence numbers per
 * partition when a send starts; concurrent sends to one partition (the three log pipelines all
 * write `hobom.logs`) that fail and retry can reach the broker out of order and be refused with
 * OUT_OF_ORDER_SEQUENCE_NUMBER (kafkajs issue 598). Batches are large, so one at a time costs
 * little. And kafkajs hands a failed batch's sequence numbers to the next batch, which the broker
 * drops as a duplicate when the failed one was in fact written: see replaceProducer below.
 */
import { type Admin, Kafka, logLevel, type LogEntry, type Producer } from "kafkajs";
import { DependencyError } from "../errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { EventSink } from "../relay/ports.ts";
import { classifyKafkaError } from "./classify.ts";
import { keyHashPartitioner } from "./partitioner.ts";

export interface KafkaSink extends EventSink {
  /** Connects the producer; the relay starts without Kafka and connects on the first send too. */
  connect(): Promise<void>;
  /** A metadata round trip to the cluster, for health checks. */
  ping(timeoutMs: number): Promise<void>;
  /** Flushes nothing (sends are awaited) and disconnects; idempotent. */
  close(): Promise<void>;
}

export interface KafkaSinkOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** -1 (all), 0 or 1. The idempotent producer needs -1. */
  readonly acks: -1 | 0 | 1;
  readonly writeTimeoutMs: number;
  readonly log: Logger;
}

export function createKafkaSink(options: KafkaSinkOptions): KafkaSink {
  const idempotent = options.acks === -1;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: options.writeTimeoutMs,
    // The reference behaviour: 3 attempts, 200 ms then 400 ms. Longer outages are the breaker's.
    retry: { retries: 2, initialRetryTime: 200, multiplier: 2, factor: 0, maxRetryTime: 400 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => kafkajsLog(options.log, entry),
  });
  const newProducer = (): Producer =>
    kafka.producer({
      idempotent,
      maxInFlightRequests: idempotent ? 1 : undefined,
      allowAutoTopicCreation: true,
      createPartitioner: keyHashPartitioner,
    });
  let producer = newProducer();
  let connected: Promise<void> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;

  const connect = () => {
    connected ??= producer.connect().catch((error) => {
      connected = undefined;
      throw error;
    });
    return connected;
  };

  const sendNow = async (topic: string, records: Parameters<EventSink["send"]>[1]) => {
    try {
      await connect();
      await producer.send({
        topic,
        acks: options.acks,
        timeout: options.writeTimeoutMs,
        messages: records.map((record) => ({ key: record.key, value: record.value, headers: { ...record.headers } })),
      });
    } catch (error) {
      const classified = classifyKafkaError(topic, error);
      // kafkajs gives a failed batch's sequence numbers to the next batch. When the broker did
      // write the failed one (its answer was lost: a timeout, a broker paused or killed after the
      // append), the next batch is refused for good (OUT_OF_ORDER_SEQUENCE_NUMBER) or, if it has
      // as many records, silently taken for a duplicate and dropped. A new producer (a new
      // producer id, sequences from 0) makes the worst case one batch sent twice.
      if (idempotent && classified.retriable) replaceProducer();
      throw classified;
    }
  };

  const replaceProducer = () => {
    const old = producer;
    producer = newProducer();
    connected = undefined;
    old.disconnect().catch(() => {});
  };

  return {
    connect,
    send(topic, records) {
      const next = queue.then(() => sendNow(topic, records));
      queue = next.catch(() => {});
      return next;
    },
    async ping(timeoutMs) {
      const admin: Admin = kafka.admin();
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new DependencyError("kafka", `no answer within ${timeoutMs} ms`, { retriable: true })), timeoutMs).unref(),
      );
      try {
        await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
      } catch (error) {
        throw error instanceof DependencyError ? error : new DependencyError("kafka", (error as Error).message, { retriable: true, cause: error });
      } finally {
        admin.disconnect().catch(() => {});
      }
    },
    close() {
      closing ??= queue.then(() => producer.disconnect()).catch(() => {});
      return closing;
    },
  };
}

/** kafkajs reports every reconnect attempt; the breaker logs outages once, so these are debug. */
function kafkajsLog(log: Logger, entry: LogEntry) {
  const { message, ...fields } = entry.log;
  log.debug(`kafkajs: ${message}`, { namespace: entry.namespace, ...fields });
}
