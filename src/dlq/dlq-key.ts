/** Parsing and checking a DLQ key that came from outside (a URL path segment). */
import type { Pipeline } from "../pipelines/pipeline.ts";
import { PIPELINES } from "../pipelines/table.ts";
import { MAX_DLQ_KEY_LENGTH, PLAIN_EVENT_ID } from "../redis/keys.ts";
import { invalidKey, invalidPrefix } from "./dlq-errors.ts";

export interface ParsedDlqKey {
  readonly key: string;
  readonly pipeline: Pipeline;
  /** The text after the prefix: the eventId, or the digest of one the key could not hold (see KeyScheme.dlq). */
  readonly eventId: string;
}

/** The pipeline and eventId of `key` (namespace included), or a 400 DlqError saying why not. */
export function parseDlqKey(key: string, namespace: string): ParsedDlqKey {
  if (key.length === 0 || key.length > MAX_DLQ_KEY_LENGTH) throw invalidKey(`a key has 1 to ${MAX_DLQ_KEY_LENGTH} characters`);
  if (!key.startsWith(namespace)) throw invalidKey(`keys start with "${namespace}"`);
  const rest = key.slice(namespace.length);
  // No prefix is the start of another (each ends at its second colon), so the first match is the one.
  const pipeline = PIPELINES.find((candidate) => rest.startsWith(candidate.dlqPrefix));
  if (!pipeline) throw invalidKey(`known prefixes: ${knownPrefixes(namespace).join(", ")}`);
  const eventId = rest.slice(pipeline.dlqPrefix.length);
  if (!PLAIN_EVENT_ID.test(eventId)) throw invalidKey("the eventId after the prefix must be letters, digits or . _ : @ + = -");
  return { key, pipeline, eventId };
}

/** The pipeline of a `?prefix=` value (namespace included), or a 400 DlqError. */
export function parseDlqPrefix(prefix: string, namespace: string): Pipeline {
  const pipeline = PIPELINES.find((candidate) => `${namespace}${candidate.dlqPrefix}` === prefix);
  if (!pipeline) throw invalidPrefix(`known prefixes: ${knownPrefixes(namespace).join(", ")}`);
  return pipeline;
}

export function knownPrefixes(namespace: string): string[] {
  return PIPELINES.map((pipeline) => `${namespace}${pipeline.dlqPrefix}`);
}
