/** Parsing and checking a DLQ key or prefix that came from outside (a URL path segment, a query). */
import { MAX_DLQ_KEY_LENGTH, PLAIN_EVENT_ID } from "../../state/keys.ts";
import { invalidKey, invalidPrefix } from "./dlq-errors.ts";

/** A pipeline whose DLQ entries the API addresses (running here or not). */
export interface CatalogEntry {
  readonly name: string;
  readonly dlqPrefix: string;
}

export interface ParsedDlqKey {
  readonly key: string;
  readonly pipeline: CatalogEntry;
  /** The text after the prefix: the eventId, or the digest of one the key could not hold (see KeyScheme.dlq). */
  readonly eventId: string;
}

/** The pipeline and eventId of `key` (namespace included), or a 400 DlqError saying why not. */
export function parseDlqKey(key: string, namespace: string, catalog: readonly CatalogEntry[]): ParsedDlqKey {
  if (key.length === 0 || key.length > MAX_DLQ_KEY_LENGTH) throw invalidKey(`a key has 1 to ${MAX_DLQ_KEY_LENGTH} characters`);
  if (!key.startsWith(namespace)) throw invalidKey(`keys start with "${namespace}"`);
  const rest = key.slice(namespace.length);
  // No prefix is the start of another (each ends at its second colon), so the first match is the one.
  const pipeline = catalog.find((candidate) => rest.startsWith(candidate.dlqPrefix));
  if (!pipeline) throw invalidKey(`known prefixes: ${knownPrefixes(namespace, catalog).join(", ")}`);
  const eventId = rest.slice(pipeline.dlqPrefix.length);
  if (!PLAIN_EVENT_ID.test(eventId)) throw invalidKey("the eventId after the prefix must be letters, digits or . _ : @ + = -");
  return { key, pipeline, eventId };
}

/** The pipeline of a `?prefix=` value (namespace included), or a 400 DlqError. */
export function parseDlqPrefix(prefix: string, namespace: string, catalog: readonly CatalogEntry[]): CatalogEntry {
  const pipeline = catalog.find((candidate) => `${namespace}${candidate.dlqPrefix}` === prefix);
  if (!pipeline) throw invalidPrefix(`known prefixes: ${knownPrefixes(namespace, catalog).join(", ")}`);
  return pipeline;
}

export function knownPrefixes(namespace: string, catalog: readonly CatalogEntry[]): string[] {
  return catalog.map((pipeline) => `${namespace}${pipeline.dlqPrefix}`);
}
