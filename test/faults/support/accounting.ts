/**
 * Where every row of a stream ended up: its status in the backend double, how many times it is in
 * Kafka (every topic read to its end), and whether the DLQ holds it. A row is accounted for when it
 * is SENT and in Kafka at least once, or FAILED with a DLQ entry; anything else (SENT but absent
 * from Kafka, FAILED without a DLQ entry, still PENDING) is lost. Rows made to fail (no payload, or
 * too large for their topic) must be dead-lettered; every other row must be delivered.
 */
import { type ConsumedRecord, readTopic } from "../../support/kafka-topics.ts";
import { inspectRedis } from "../../support/redis-inspect.ts";
import type { RelayTopics } from "../../support/relay-env.ts";
import { PIPELINE_DLQ_PREFIX, PIPELINE_TOPIC, STREAM_PIPELINES, type StreamPipeline, type StreamRow } from "./stream.ts";

export interface LostRow {
  readonly pipeline: StreamPipeline;
  readonly eventId: string;
  readonly bad: boolean;
  readonly status: string;
  readonly inKafka: number;
  readonly inDlq: boolean;
}

export interface Accounting {
  readonly created: number;
  /** Rows created without a payload (they must end FAILED with a DLQ entry). */
  readonly bad: number;
  /** Rows too large for their topic (they must end FAILED with a DLQ entry). */
  readonly oversized: number;
  /** Of those, the ones whose DLQ entry gives Kafka's refusal (MESSAGE_TOO_LARGE) as the reason. */
  readonly oversizedRefusedByKafka: number;
  /** The DLQ reason of one oversized row, for the output. */
  readonly oversizedReasonSample?: string;
  /** Rows SENT and in Kafka at least once. */
  readonly delivered: number;
  /** Rows FAILED with a DLQ entry. */
  readonly deadLettered: number;
  readonly lost: number;
  /** Up to 20 lost rows, for the failure message. */
  readonly lostSample: readonly LostRow[];
  readonly sent: number;
  readonly failed: number;
  readonly pending: number;
  /** Distinct rows found in Kafka. */
  readonly kafkaUnique: number;
  /** Copies beyond the first, summed over every row. */
  readonly duplicates: number;
  readonly duplicatedRows: number;
  readonly duplicatesByPipeline: Readonly<Partial<Record<StreamPipeline, number>>>;
  /**
   * How far apart the duplicated rows lie, in rows, in the order their first copies reached Kafka,
   * in the one pipeline that has duplicates (the largest such span when several have), partition by
   * partition: a batch sent twice spans at most one batch in each partition it went to (its records
   * are sent one partition per send, and readTopic lists a topic partition after partition).
   */
  readonly duplicateSpan: number;
  /** A few duplicated rows per pipeline (eventId and copies), to look them up in logs. */
  readonly duplicateSample: Readonly<Partial<Record<StreamPipeline, readonly string[]>>>;
  /** Records (or log items) in the scenario's topics that belong to no row of the stream. */
  readonly unexpectedInKafka: number;
  /** Rows meant to be delivered that ended FAILED: a fault must never turn a good row into a dead letter. */
  readonly goodRowsFailed: number;
  /** Rows meant to be dead-lettered (no payload, or oversized) that reached Kafka or ended SENT. */
  readonly badRowsDelivered: number;
  readonly byPipeline: Readonly<Record<StreamPipeline, { created: number; delivered: number; deadLettered: number; lost: number }>>;
  /**
   * The most rows one Kafka send can carry: HOBOM_KAFKA_MAX_MESSAGE_BYTES over the smallest
   * per-row bytes seen in Kafka (a whole record for event topics, one array item for log topics).
   */
  readonly batchRowBound: number;
  readonly smallestRowBytes: number;
  /** HOBOM_KAFKA_MAX_MESSAGE_BYTES of the run. */
  readonly maxMessageBytes: number;
}

export interface AccountingInput {
  readonly rows: readonly StreamRow[];
  readonly topics: RelayTopics;
  readonly brokers: readonly string[];
  readonly redisUrl: string;
  readonly namespace: string;
  readonly maxMessageBytes: number;
}

export async function account(input: AccountingInput): Promise<Accounting> {
  const topicNames = [...new Set(Object.values(PIPELINE_TOPIC))];
  const read = await Promise.all(topicNames.map(async (topic) => [topic, await readTopic(input.brokers, input.topics[topic], 60_000)] as const));
  const records = new Map(read);

  const byEventId = new Map(input.rows.map((row) => [row.eventId, row]));
  const copies = new Map<string, number>();
  /** Each pipeline's rows in the order their first copy reached each partition, by pipeline and partition. */
  const firstSeen = new Map<string, string[]>();
  let unexpected = 0;
  let smallestRowBytes = Number.POSITIVE_INFINITY;
  const count = (eventId: string, partition: number) => {
    const row = byEventId.get(eventId);
    if (!row) {
      unexpected++;
      return;
    }
    const seen = copies.get(eventId) ?? 0;
    if (seen === 0) {
      const key = `${row.pipeline}\u0000${partition}`;
      const order = firstSeen.get(key) ?? [];
      if (order.length === 0) firstSeen.set(key, order);
      order.push(eventId);
    }
    copies.set(eventId, seen + 1);
  };

  for (const topic of ["messages", "spaceEvents", "angelEvents"] as const) {
    for (const record of records.get(topic) ?? []) {
      count(record.key, record.partition);
      smallestRowBytes = Math.min(smallestRowBytes, recordBytes(record));
    }
  }
  for (const record of records.get("logs") ?? []) {
    let items: unknown;
    try {
      items = JSON.parse(record.value);
    } catch {
      unexpected++;
      continue;
    }
    if (!Array.isArray(items)) {
      unexpected++;
      continue;
    }
    for (const item of items) {
      const traceId = (item as { traceId?: unknown }).traceId;
      count(typeof traceId === "string" ? traceId : "", record.partition);
      smallestRowBytes = Math.min(smallestRowBytes, Buffer.byteLength(JSON.stringify(item)));
    }
  }

  const redis = inspectRedis(input.redisUrl, input.namespace);
  let dlqKeys: Set<string>;
  const oversizedReasons: string[] = [];
  try {
    dlqKeys = new Set(await redis.keys("dlq:*"));
    for (const row of input.rows.filter((candidate) => candidate.oversized)) {
      const meta = await redis.hgetall(`${input.namespace}dlqmeta:${PIPELINE_DLQ_PREFIX[row.pipeline]}${row.eventId}`);
      oversizedReasons.push(meta.reason ?? "(no DLQ entry)");
    }
  } finally {
    redis.close();
  }

  const byPipeline = Object.fromEntries(STREAM_PIPELINES.map((p) => [p, { created: 0, delivered: 0, deadLettered: 0, lost: 0 }])) as Record<
    StreamPipeline,
    { created: number; delivered: number; deadLettered: number; lost: number }
  >;
  const duplicatesByPipeline: Partial<Record<StreamPipeline, number>> = {};
  const duplicateSample: Partial<Record<StreamPipeline, string[]>> = {};
  const lostSample: LostRow[] = [];
  let delivered = 0;
  let deadLettered = 0;
  let lost = 0;
  let sent = 0;
  let failed = 0;
  let pending = 0;
  let duplicates = 0;
  let duplicatedRows = 0;
  let goodRowsFailed = 0;
  let badRowsDelivered = 0;

  for (const row of input.rows) {
    const status = row.live.status;
    const inKafka = copies.get(row.eventId) ?? 0;
    const inDlq = dlqKeys.has(`${input.namespace}${PIPELINE_DLQ_PREFIX[row.pipeline]}${row.eventId}`);
    const tally = byPipeline[row.pipeline];
    tally.created++;
    if (status === "SENT") sent++;
    else if (status === "FAILED") failed++;
    else pending++;
    if (inKafka > 1) {
      duplicates += inKafka - 1;
      duplicatedRows++;
      duplicatesByPipeline[row.pipeline] = (duplicatesByPipeline[row.pipeline] ?? 0) + inKafka - 1;
      const sample = duplicateSample[row.pipeline] ?? [];
      duplicateSample[row.pipeline] = sample;
      if (sample.length < 3) sample.push(`${row.eventId}×${inKafka}`);
    }
    const doomed = row.bad || row.oversized;
    if (doomed && (inKafka > 0 || status === "SENT")) badRowsDelivered++;
    if (!doomed && status === "FAILED") goodRowsFailed++;
    if (status === "SENT" && inKafka > 0) {
      delivered++;
      tally.delivered++;
    } else if (status === "FAILED" && inDlq) {
      deadLettered++;
      tally.deadLettered++;
    } else {
      lost++;
      tally.lost++;
      if (lostSample.length < 20) lostSample.push({ pipeline: row.pipeline, eventId: row.eventId, bad: row.bad, status, inKafka, inDlq });
    }
  }

  let duplicateSpan = 0;
  for (const order of firstSeen.values()) {
    const positions = order.flatMap((eventId, position) => ((copies.get(eventId) ?? 0) > 1 ? [position] : []));
    if (positions.length > 0) duplicateSpan = Math.max(duplicateSpan, (positions.at(-1) as number) - (positions[0] as number) + 1);
  }

  if (!Number.isFinite(smallestRowBytes)) smallestRowBytes = 1;
  return {
    created: input.rows.length,
    bad: input.rows.filter((row) => row.bad).length,
    oversized: oversizedReasons.length,
    oversizedRefusedByKafka: oversizedReasons.filter((reason) => reason.includes("MESSAGE_TOO_LARGE")).length,
    oversizedReasonSample: oversizedReasons[0],
    delivered,
    deadLettered,
    lost,
    lostSample,
    sent,
    failed,
    pending,
    kafkaUnique: copies.size,
    duplicates,
    duplicatedRows,
    duplicatesByPipeline,
    duplicateSpan,
    duplicateSample,
    unexpectedInKafka: unexpected,
    goodRowsFailed,
    badRowsDelivered,
    byPipeline,
    batchRowBound: Math.floor(input.maxMessageBytes / smallestRowBytes),
    smallestRowBytes,
    maxMessageBytes: input.maxMessageBytes,
  };
}

/** Key, value and header bytes: what the relay counts against HOBOM_KAFKA_MAX_MESSAGE_BYTES. */
function recordBytes(record: ConsumedRecord): number {
  let bytes = Buffer.byteLength(record.key) + Buffer.byteLength(record.value);
  for (const [name, value] of Object.entries(record.headers)) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}
