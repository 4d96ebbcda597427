/**
 * Log batching: `rows` HOBOM_LOG rows in for-hobom-backend before the relay starts; the relay
 * sends them as JSON arrays of log commands, split into records of at most 1 MB. Reports the time
 * until every row is SENT, and what reached Kafka: records, bytes, and log items inside them.
 */

import { readTopic } from "../../test/support/kafka-topics.ts";
import { startBenchBackends } from "../doubles.ts";
import { startWindow, type WindowResult } from "../measure-window.ts";
import { startBenchRelay } from "../relay-runner.ts";
import { addRows } from "../rows.ts";
import type { BenchTestbed } from "../testbed.ts";
import { waitFor } from "../wait.ts";

export interface LogBatchingResult extends WindowResult {
  readonly rows: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly records: number;
  /** Key + value bytes of every record. */
  readonly megabytes: number;
  /** Log items in all the arrays (should equal rows). */
  readonly items: number;
}

export async function logBatching(testbed: BenchTestbed, options: { rows: number }): Promise<LogBatchingResult> {
  const backends = await startBenchBackends();
  try {
    addRows(backends, "log", options.rows);
    const store = backends.hobom.logs;
    const run = await startBenchRelay(testbed, backends);
    try {
      const window = startWindow(run.pid);
      const doneAt = await waitFor(
        () => store.sentCount >= options.rows,
        600_000,
        () => `${store.sentCount} of ${options.rows} rows SENT`,
      );
      const measured = window.stop();
      const seconds = (doneAt - run.startedAtMs) / 1000;
      const records = await readTopic(testbed.kafkaBrokers, run.setup.topics.logs, 60_000);
      let bytes = 0;
      let items = 0;
      for (const record of records) {
        bytes += Buffer.byteLength(record.key) + Buffer.byteLength(record.value);
        items += (JSON.parse(record.value) as unknown[]).length;
      }
      return {
        ...measured,
        rows: options.rows,
        seconds,
        eventsPerSecond: options.rows / seconds,
        records: records.length,
        megabytes: bytes / 1e6,
        items,
        warnings: run.warnings(),
      };
    } finally {
      await run.finish();
    }
  } finally {
    backends.stop();
  }
}
