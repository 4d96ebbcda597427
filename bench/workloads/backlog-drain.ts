/**
 * Backlog drain: `rows` PENDING message rows are in for-hobom-backend before the relay starts;
 * the time from the relay's start line until every row is SENT (the relay marks a row only after
 * Kafka acknowledged it with acks=all, so SENT implies in Kafka). Kafka's record count is checked
 * afterwards.
 */
import { startBenchBackends } from "../doubles.ts";
import { countRecords } from "../kafka-reading.ts";
import { startWindow, type WindowResult } from "../measure-window.ts";
import { startBenchRelay } from "../relay-runner.ts";
import { addRows } from "../rows.ts";
import type { BenchTestbed } from "../testbed.ts";
import { waitFor } from "../wait.ts";

export interface BacklogResult extends WindowResult {
  readonly rows: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly kafkaRecords: number;
}

export async function backlogDrain(
  testbed: BenchTestbed,
  options: { rows: number; cpuProfileDir?: string; bunFlags?: readonly string[]; env?: Record<string, string>; binary?: string },
): Promise<BacklogResult> {
  const backends = await startBenchBackends();
  try {
    addRows(backends, "message", options.rows);
    const store = backends.hobom.messages;
    const run = await startBenchRelay(testbed, backends, {
      cpuProfileDir: options.cpuProfileDir,
      bunFlags: options.bunFlags,
      env: options.env,
      binary: options.binary,
    });
    try {
      const window = startWindow(run.pid);
      const doneAt = await waitFor(
        () => store.sentCount >= options.rows,
        600_000,
        () => `${store.sentCount} of ${options.rows} rows SENT`,
      );
      const measured = window.stop();
      const seconds = (doneAt - run.startedAtMs) / 1000;
      const kafkaRecords = await countRecords(testbed.kafkaBrokers, run.setup.topics.messages);
      return { ...measured, rows: options.rows, seconds, eventsPerSecond: options.rows / seconds, kafkaRecords, warnings: run.warnings() };
    } finally {
      await run.finish();
    }
  } finally {
    backends.stop();
  }
}
