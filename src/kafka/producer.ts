/**
 * The Kafka side of the relay, on kafkajs, driven so that one kafkajs send carries the records of
 * exactly one partition. kafkajs's own multi-partition send cannot be trusted on a cluster:
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
 * partitions of a batch are sent side by side. After a retriable failure the producer is replaced:
 * kafkajs hands a failed send's sequence numbers to the next send, which the broker drops as a
 * duplicate when the failed one was in fact written (its answer was lost).
 */
import { Kafka, logLevel, type LogEntry, type Producer } from "kafkajs";
import { DependencyError, KafkaSendError, KafkaTopicError } from "../errors.ts";
import type { Logger } from "../observability/logger.ts";
import type { EventSink, KafkaRecord, SendOutcome } from "../relay/ports.ts";
import { createSerial, type Serial } from "../relay/serial.ts";
import { classifyKafkaError, classifyMetadataError, neverSent } from "./classify.ts";
import { createPartitionGates, type GateChange } from "./partition-gates.ts";
import { explicitPartitioner, partitionOf } from "./partitioner.ts";
import type { KafkaSecurity } from "./security.ts";

export interface KafkaSink extends EventSink {
  /** Connects the producer; the relay starts without Kafka and connects on the first send too. */
  connect(): Promise<void>;
  /** A metadata round trip to the cluster, for health checks. */
  ping(timeoutMs: number): Promise<void>;
  /** How many partitions of each topic wait for their leader right now. */
  unavailablePartitions(): Map<string, number>;
  /** Disconnects without waiting for sends in flight (they fail); idempotent. */
  close(): Promise<void>;
}

export interface KafkaSinkOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** -1 (all), 0 or 1. The idempotent producer needs -1. */
  readonly acks: -1 | 0 | 1;
  readonly writeTimeoutMs: number;
  /** Waits while a partition's leader is unreachable, the last repeated. */
  readonly backoffMs: readonly number[];
  readonly security?: KafkaSecurity;
  readonly log: Logger;
  /** Told when a partition's outage begins and ends. */
  readonly onPartitionChange?: (change: GateChange) => void;
}

/** A producer and the sends in flight on it, so that a replaced one is closed only once they are done. */
interface Handle {
  readonly producer: Producer;
  connected?: Promise<void>;
  inFlight: number;
  retired: boolean;
}

/** How long the check "is the cluster reachable at all?" after a send that reached no one may take. */
const DIAGNOSE_TIMEOUT_MS = 3000;

export function createKafkaSink(options: KafkaSinkOptions): KafkaSink {
  const idempotent = options.acks === -1;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    ...options.security,
    connectionTimeout: 3000,
    requestTimeout: options.writeTimeoutMs,
    // The reference behaviour: 3 attempts, 200 ms then 400 ms. Longer outages are the gates' and the breaker's.
    retry: { retries: 2, initialRetryTime: 200, multiplier: 2, factor: 0, maxRetryTime: 400 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => kafkajsLog(options.log, entry),
  });
  const gates = createPartitionGates({ backoffMs: options.backoffMs, onChange: options.onPartitionChange });
  const queues = new Map<string, Serial>();
  const newHandle = (): Handle => ({
    producer: kafka.producer({
      idempotent,
      maxInFlightRequests: idempotent ? 1 : undefined,
      allowAutoTopicCreation: true,
      createPartitioner: explicitPartitioner,
    }),
    inFlight: 0,
    retired: false,
  });
  let current = newHandle();
  let closing: Promise<void> | undefined;

  const connect = (handle: Handle = current) => {
    handle.connected ??= handle.producer.connect().catch((error) => {
      handle.connected = undefined;
      throw error;
    });
    return handle.connected;
  };

  const retire = (handle: Handle) => {
    if (handle.retired) return;
    handle.retired = true;
    if (handle === current) current = newHandle();
    if (handle.inFlight === 0) handle.producer.disconnect().catch(() => {});
  };

  /** The topic's partition count, from the producer's metadata; throws KafkaTopicError or a KafkaSendError. */
  const partitions = async (handle: Handle, topic: string, refresh = false): Promise<number> => {
    try {
      await connect(handle);
      const metadata = await handle.producer.partitionMetadata(topic, { refresh });
      if (metadata.length === 0) throw new KafkaTopicError(topic, "missing");
      return metadata.length;
    } catch (error) {
      if (error instanceof KafkaTopicError) throw error;
      throw classifyMetadataError(topic, error);
    }
  };

  const sendPartition = async (handle: Handle, topic: string, partition: number, records: readonly KafkaRecord[]): Promise<SendOutcome> => {
    const closedUntil = gates.closedUntil(topic, partition);
    if (closedUntil > 0) {
      return { ok: false, error: new KafkaSendError(topic, `partition ${partition} waits for its leader until ${new Date(closedUntil).toISOString()}`, { retriable: true }) };
    }
    const queueId = `${partition}\u0000${topic}`;
    let queue = queues.get(queueId);
    if (!queue) queues.set(queueId, (queue = createSerial()));
    handle.inFlight++;
    try {
      await queue(() =>
        handle.producer.send({
          topic,
          acks: options.acks,
          timeout: options.writeTimeoutMs,
          messages: records.map((record) => ({ key: record.key, value: record.value, headers: { ...record.headers }, partition })),
        }),
      );
      gates.succeeded(topic, partition);
      return { ok: true };
    } catch (error) {
      const classified = classifyKafkaError(topic, error);
      if (classified.retriable) {
        gates.failed(topic, partition, classified);
        // A request that never left (the connection was refused) cannot have been written: its
        // sequence numbers are free to use again, and the producer stays.
        if (idempotent && !neverSent(error)) retire(handle);
      }
      return { ok: false, error: classified };
    } finally {
      handle.inFlight--;
      if (handle.retired && handle.inFlight === 0) handle.producer.disconnect().catch(() => {});
    }
  };

  return {
    connect: () => connect(),
    async send(topic, records) {
      if (records.length === 0) return [];
      const handle = current;
      let count: number;
      try {
        count = await partitions(handle, topic);
      } catch (error) {
        if (error instanceof KafkaTopicError || !(error instanceof KafkaSendError) || !error.retriable) throw error;
        // The producer could not start or learn the topic (a broker it picked is down): unless no
        // broker answers at all, the records wait, and the next send tries a new producer.
        await diagnose(error);
        if (idempotent) retire(handle);
        return records.map(() => ({ ok: false, error }));
      }
      const byPartition = new Map<number, number[]>();
      records.forEach((record, index) => {
        const partition = partitionOf(record.key, count);
        const indices = byPartition.get(partition);
        if (indices) indices.push(index);
        else byPartition.set(partition, [index]);
      });
      const outcomes: SendOutcome[] = new Array(records.length);
      let tried = false;
      await Promise.all(
        [...byPartition].map(async ([partition, indices]) => {
          tried ||= gates.closedUntil(topic, partition) === 0;
          const outcome = await sendPartition(handle, topic, partition, indices.map((index) => records[index] as KafkaRecord));
          for (const index of indices) outcomes[index] = outcome;
        }),
      );
      // A send that reached no one says nothing yet about whom: the cluster as a whole (the
      // breaker's business, thrown) or only the leaders of these partitions (their gates').
      if (tried && outcomes.every((outcome) => !outcome.ok && outcome.error.retriable)) {
        await diagnose((outcomes[0] as { error: unknown }).error);
      }
      return outcomes;
    },
    async ping(timeoutMs) {
      const admin = kafka.admin();
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new DependencyError("kafka", `no answer within ${timeoutMs} ms`, { retriable: true })), timeoutMs).unref(),
      );
      try {
        await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
      } catch (error) {
        throw error instanceof DependencyError ? error : classifyKafkaError("(metadata)", error);
      } finally {
        admin.disconnect().catch(() => {});
      }
    },
    unavailablePartitions: () => gates.closedPerTopic(),
    close() {
      closing ??= current.producer.disconnect().catch(() => {});
      return closing;
    },
  };

  /**
   * Throws `cause` (for the breaker) when no broker answers a metadata request on a client of its
   * own in time; returns when one does.
   */
  async function diagnose(cause: unknown): Promise<void> {
    const admin = kafka.admin();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no answer")), DIAGNOSE_TIMEOUT_MS);
    });
    try {
      await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
    } catch {
      throw cause;
    } finally {
      clearTimeout(timer);
      admin.disconnect().catch(() => {});
    }
  }
}

/** kafkajs reports every reconnect attempt; the breaker and the gates log outages once, so these are debug. */
function kafkajsLog(log: Logger, entry: LogEntry) {
  const { message, ...fields } = entry.log;
  log.debug(`kafkajs: ${message}`, { namespace: entry.namespace, ...fields });
}
