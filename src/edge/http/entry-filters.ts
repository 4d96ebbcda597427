/**
 * The entry filters of GET /dlq/entries and of a bulk replay (query-specs.ts ENTRY_FILTERS) as a
 * search of the index: which prefixes, which failure times, which reason and event type.
 */
import type { SearchFilter } from "../../state/dlq-search.ts";
import { invalidParameter, invalidQuery } from "./dlq-errors.ts";
import { type CatalogEntry, knownPrefixes, parseDlqPrefix } from "./dlq-key.ts";
import type { QueryValues } from "./query-params.ts";
import type { ENTRY_FILTERS } from "./query-specs.ts";

export type EntryFilterValues = QueryValues<typeof ENTRY_FILTERS>;

/**
 * The search the filters ask for. `required`: the route needs a pipeline or a prefix (a bulk
 * replay never takes the whole DLQ by accident); otherwise neither (or an empty prefix) is every prefix.
 */
export function searchFilter(
  values: EntryFilterValues,
  context: { namespace: string; catalog: readonly CatalogEntry[]; now: number; route: string; required: boolean },
): SearchFilter {
  const { namespace, catalog } = context;
  if (values.pipeline !== undefined && values.prefix !== undefined) {
    throw invalidQuery(
      `give pipeline or prefix, not both (pipeline ${values.pipeline} has the prefix ${namespace}${catalog.find((entry) => entry.name === values.pipeline)?.dlqPrefix ?? "…"})`,
    );
  }
  let prefixes: string[];
  if (values.pipeline !== undefined) {
    const pipeline = catalog.find((entry) => entry.name === values.pipeline);
    if (!pipeline) throw invalidParameter("pipeline", `known pipelines: ${catalog.map((entry) => entry.name).join(", ")}`);
    prefixes = [pipeline.dlqPrefix];
  } else if (values.prefix !== undefined && (values.prefix !== "" || context.required)) {
    prefixes = [parseDlqPrefix(values.prefix, namespace, catalog).dlqPrefix];
  } else if (context.required) {
    throw invalidQuery(
      `${context.route} needs pipeline=<name> (one of ${catalog.map((entry) => entry.name).join(", ")}) or prefix=<prefix> (one of ${knownPrefixes(namespace, catalog).join(", ")})`,
    );
  } else {
    prefixes = catalog.map((entry) => entry.dlqPrefix);
  }
  const failedUntil = values.olderThan === undefined ? undefined : context.now - values.olderThan;
  const failedFrom = values.newerThan === undefined ? undefined : context.now - values.newerThan;
  if (failedUntil !== undefined && failedFrom !== undefined && failedFrom > failedUntil) {
    throw invalidQuery("no entry can match: olderThan must be shorter than newerThan (olderThan=1h&newerThan=7d: last failed between 7 days and 1 hour ago)");
  }
  return {
    prefixes,
    ...(failedFrom !== undefined && { failedFrom }),
    ...(failedUntil !== undefined && { failedUntil }),
    ...(values.reason !== undefined && values.reason !== "" && { reason: values.reason }),
    ...(values.eventType !== undefined && values.eventType !== "" && { eventType: values.eventType }),
  };
}
