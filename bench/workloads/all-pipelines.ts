/**
 * Every pipeline at once: a backlog of `rowsPerPipeline` rows on each of the seven pipelines
 * (message, log, space, space-log, law, angel, angel-log) when the relay starts, all four backends
 * doubled. Reports the time until every row is SENT and when each pipeline finished.
 */
import { startBenchBackends } from "../doubles.ts";
import { startWindow, type WindowResult } from "../measure-window.ts";
import { startBenchRelay } from "../relay-runner.ts";
import { ALL_PIPELINES, addRow, type PipelineName, storeOf } from "../rows.ts";
import type { BenchTestbed } from "../testbed.ts";
import { waitFor } from "../wait.ts";

export type AllPipelinesResult = WindowResult & {
  readonly rows: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
} & { readonly [pipeline in `${PipelineName}Seconds`]: number };

export async function allPipelines(testbed: BenchTestbed, options: { rowsPerPipeline: number }): Promise<AllPipelinesResult> {
  const backends = await startBenchBackends({ space: true, angel: true, llm: true });
  try {
    const created = new Date();
    const ids = new Map<PipelineName, string[]>();
    for (const pipeline of ALL_PIPELINES) {
      ids.set(
        pipeline,
        Array.from({ length: options.rowsPerPipeline }, () => addRow(backends, pipeline, created)),
      );
    }
    const total = ALL_PIPELINES.length * options.rowsPerPipeline;
    const sent = () => backends.stores.reduce((sum, store) => sum + store.sentCount, 0);
    const run = await startBenchRelay(testbed, backends);
    try {
      const window = startWindow(run.pid);
      const doneAt = await waitFor(
        () => sent() >= total,
        600_000,
        () => `${sent()} of ${total} rows SENT`,
      );
      const measured = window.stop();
      const perPipeline = Object.fromEntries(
        ALL_PIPELINES.map((pipeline) => {
          const store = storeOf(backends, pipeline);
          const last = Math.max(...(ids.get(pipeline) ?? []).map((id) => store.sentAtMs.get(id) ?? Number.NaN));
          return [`${pipeline}Seconds`, (last - run.startedAtMs) / 1000];
        }),
      ) as { [pipeline in `${PipelineName}Seconds`]: number };
      const seconds = (doneAt - run.startedAtMs) / 1000;
      return { ...measured, rows: total, seconds, eventsPerSecond: total / seconds, ...perPipeline, warnings: run.warnings() };
    } finally {
      await run.finish();
    }
  } finally {
    backends.stop();
  }
}
