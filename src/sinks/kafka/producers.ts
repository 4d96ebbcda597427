/**
 * The kafkajs producer the sink sends with, replaced after every send that failed for a retriable
 * reason: kafkajs hands a failed send's sequence numbers to the next send, which the broker drops
 * as a duplicate when the failed one was in fact written (its answer was lost: a timeout, a broker
 * paused or killed after the append). A new producer (a new producer id, sequences from 0) makes
 * the worst case one batch sent twice. A replaced producer is closed once the sends still in flight
 * on it are done.
 */
import type { Kafka, Producer, ProducerRecord } from "kafkajs";
import { classifyMetadataError } from "./classify.ts";
import { KafkaTopicError, KafkaUnreachableError } from "./errors.ts";
import { explicitPartitioner } from "./partitioner.ts";

/** One producer and the sends in flight on it. */
export interface ProducerHandle {
  send(record: ProducerRecord): Promise<unknown>;
}

interface Handle extends ProducerHandle {
  readonly producer: Producer;
  connected?: Promise<void>;
  inFlight: number;
  retired: boolean;
}

/** A topic's partitions as the producer's metadata has them. */
export interface TopicLayout {
  readonly count: number;
  /** Partitions without a leader: sending to them can only fail, so they wait behind their gates. */
  readonly leaderless: ReadonlySet<number>;
}

export function createProducers(kafka: Kafka, options: { idempotent: boolean }) {
  const make = (): Handle => {
    const handle: Handle = {
      producer: kafka.producer({
        idempotent: options.idempotent,
        maxInFlightRequests: options.idempotent ? 1 : undefined,
        allowAutoTopicCreation: true,
        createPartitioner: explicitPartitioner,
      }),
      inFlight: 0,
      retired: false,
      async send(record) {
        handle.inFlight++;
        try {
          return await handle.producer.send(record);
        } finally {
          handle.inFlight--;
          if (handle.retired && handle.inFlight === 0) handle.producer.disconnect().catch(() => {});
        }
      },
    };
    return handle;
  };
  let current = make();
  let closing: Promise<void> | undefined;

  const connect = (handle: ProducerHandle): Promise<void> => {
    const own = handle as Handle;
    own.connected ??= own.producer.connect().catch((error) => {
      own.connected = undefined;
      throw error;
    });
    return own.connected;
  };

  return {
    /** The producer new sends go to. */
    current: (): ProducerHandle => current,
    connect,
    /** A send on `handle` failed for a retriable reason: later sends go to a new producer. */
    retire(handle: ProducerHandle) {
      const own = handle as Handle;
      if (!options.idempotent || own.retired) return;
      own.retired = true;
      if (own === current) current = make();
      if (own.inFlight === 0) own.producer.disconnect().catch(() => {});
    },
    /**
     * The topic's partitions in the producer's metadata (`refresh`: asked again): how many, and
     * which have no leader right now (their broker is down and no replica took over); throws
     * KafkaTopicError when the topic cannot be written, a KafkaSendError (not retriable) when its
     * name cannot be a topic, and KafkaUnreachableError when no broker answers.
     */
    async partitions(handle: ProducerHandle, topic: string, refresh = false): Promise<TopicLayout> {
      try {
        await connect(handle);
        const metadata = await (handle as Handle).producer.partitionMetadata(topic, { refresh });
        if (metadata.length === 0) throw new KafkaTopicError(topic, "missing");
        return { count: metadata.length, leaderless: new Set(metadata.filter((partition) => partition.leader < 0).map((partition) => partition.partitionId)) };
      } catch (error) {
        if (error instanceof KafkaTopicError) throw error;
        const classified = classifyMetadataError(topic, error);
        // A topic error, or a name that cannot be a topic (not retriable): about the topic, not the cluster.
        if (classified instanceof KafkaTopicError || !classified.retriable) throw classified;
        throw new KafkaUnreachableError(classified.message, { cause: error });
      }
    },
    /** Disconnects without waiting for sends in flight (they fail); idempotent. */
    close(): Promise<void> {
      closing ??= current.producer.disconnect().catch(() => {});
      return closing;
    },
  };
}
