/**
 * What the DLQ API does, apart from HTTP: reading, deleting and replaying entries of the pipelines
 * the catalog knows. Every failure is a DlqError with the status and text the API answers.
 */
import type { Pipeline } from "../engine/pipeline.ts";
import { ReplayError, type ReplayResult } from "../engine/replay.ts";
import type { DlqEntries, StoredEntry } from "../state/dlq-entries.ts";
import { type DlqError, dependencyUnavailable, notFound, notReplayable, retryInProgress, upstreamFailed } from "./http/dlq-errors.ts";
import { type CatalogEntry, parseDlqKey } from "./http/dlq-key.ts";

export interface DlqService {
  get(key: string): Promise<StoredEntry>;
  remove(key: string): Promise<void>;
  retry(key: string): Promise<ReplayResult>;
}

export function createDlqService(params: {
  entries: DlqEntries;
  namespace: string;
  /** Every pipeline whose entries the API addresses, running here or not. */
  catalog: readonly CatalogEntry[];
  /** The pipelines running here, by name. */
  running: ReadonlyMap<string, Pipeline>;
  replay: (pipeline: Pipeline, key: string, idInKey: string) => Promise<ReplayResult>;
  /** What to configure to run a pipeline that is not running here, for the 422. */
  howToEnable: (pipeline: string) => string;
}): DlqService {
  const { entries, namespace, catalog } = params;
  return {
    async get(key) {
      parseDlqKey(key, namespace, catalog);
      const entry = await entries.get(key);
      if (!entry) throw notFound();
      return entry;
    },
    async remove(key) {
      parseDlqKey(key, namespace, catalog);
      if (!(await entries.remove(key))) throw notFound();
    },
    async retry(key) {
      const parsed = parseDlqKey(key, namespace, catalog);
      const pipeline = params.running.get(parsed.pipeline.name);
      if (!pipeline) throw notReplayable(`the ${parsed.pipeline.name} pipeline is not enabled: ${params.howToEnable(parsed.pipeline.name)}`);
      try {
        return await params.replay(pipeline, key, parsed.eventId);
      } catch (error) {
        throw error instanceof ReplayError ? asDlqError(error) : error;
      }
    },
  };
}

function asDlqError(error: ReplayError): DlqError {
  switch (error.kind) {
    case "not found":
      return notFound();
    case "in progress":
      return retryInProgress();
    case "not replayable":
      return notReplayable(error.message);
    case "unavailable":
      return dependencyUnavailable(error.dependency ?? "sink", error);
    case "upstream failed":
      return upstreamFailed(error.message, error.cause);
  }
}
