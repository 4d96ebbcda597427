/**
 * The comparisons, each in its own Bun process against the same test bed:
 *   - goLikeBaseline: the Go processor's publish path (children/go-like-processor.ts), on a sample
 *     of message rows, optionally with the Go writer's 1 s batch timeout before each write;
 *   - rawKafka: kafkajs alone producing the relay's records in the relay's batches;
 *   - rawMarks: the relay's gRPC adapter marking rows SENT on the double, 32 in flight.
 */
import { createTopics } from "../../test/support/kafka-topics.ts";
import { uniqueName } from "../../test/support/testbed-env.ts";
import { runChild } from "../child-runner.ts";
import type { ChildReport } from "../children/child-report.ts";
import { deleteTopics } from "../cleanup.ts";
import { BENCH_API_KEY, startBenchBackends } from "../doubles.ts";
import { countRecords } from "../kafka-reading.ts";
import { addRows } from "../rows.ts";
import type { BenchTestbed } from "../testbed.ts";

export interface LimitResult {
  readonly rows: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
  /** Rows that ended where they should (SENT, or records in Kafka). */
  readonly delivered: number;
}

function limitResult(report: ChildReport, delivered: number): LimitResult {
  return {
    rows: report.events,
    seconds: report.seconds,
    eventsPerSecond: report.events / report.seconds,
    cpuSeconds: report.cpuSeconds,
    peakRssMiB: report.peakRssMiB,
    delivered,
  };
}

async function withTopic<T>(testbed: BenchTestbed, use: (topic: string) => Promise<T>): Promise<T> {
  const topic = uniqueName("bench-limit");
  await createTopics(testbed.kafkaBrokers, [topic]);
  try {
    return await use(topic);
  } finally {
    await deleteTopics(testbed.kafkaBrokers, [topic]);
  }
}

export async function goLikeBaseline(testbed: BenchTestbed, options: { rows: number; writeWaitMs?: number }): Promise<LimitResult> {
  const backends = await startBenchBackends();
  try {
    addRows(backends, "message", options.rows);
    return await withTopic(testbed, async (topic) => {
      const report = await runChild("go-like-processor.ts", {
        BENCH_HOBOM_ADDR: backends.hobom.address,
        BENCH_API_KEY,
        BENCH_KAFKA_BROKERS: testbed.kafkaBrokers.join(","),
        BENCH_TOPIC: topic,
        BENCH_WRITE_WAIT_MS: String(options.writeWaitMs ?? 0),
      });
      return limitResult(report, backends.hobom.messages.sentCount);
    });
  } finally {
    backends.stop();
  }
}

export async function rawKafka(testbed: BenchTestbed, options: { rows: number }): Promise<LimitResult> {
  return withTopic(testbed, async (topic) => {
    const report = await runChild("raw-kafka-producer.ts", {
      BENCH_KAFKA_BROKERS: testbed.kafkaBrokers.join(","),
      BENCH_TOPIC: topic,
      BENCH_ROWS: String(options.rows),
    });
    return limitResult(report, await countRecords(testbed.kafkaBrokers, topic));
  });
}

export async function rawMarks(_testbed: BenchTestbed, options: { rows: number; concurrency?: number }): Promise<LimitResult> {
  const backends = await startBenchBackends();
  try {
    addRows(backends, "message", options.rows);
    const report = await runChild("raw-mark-client.ts", {
      BENCH_HOBOM_ADDR: backends.hobom.address,
      BENCH_API_KEY,
      BENCH_MARK_CONCURRENCY: String(options.concurrency ?? 32),
    });
    return limitResult(report, backends.hobom.messages.sentCount);
  } finally {
    backends.stop();
  }
}
