/** The values of the dlq commands' options, checked before any request: a mistake is a usage error. */
import type { EntryFilters } from "./api-types.ts";
import { type ParsedArgs, UsageError } from "./args.ts";
import { checkAge } from "./durations.ts";

/** A whole number from `min` to `max`, or undefined when the option was not given. */
export function wholeNumber(args: ParsedArgs, option: string, min: number, max: number): number | undefined {
  const raw = args.value(option);
  if (raw === undefined) return undefined;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${option} ${JSON.stringify(raw)} is not a whole number from ${min} to ${max}`);
  return value;
}

/** The filters given, by the API's parameter names. */
export function entryFilters(args: ParsedArgs): EntryFilters {
  const age = (option: string) => {
    const value = args.value(option);
    return value === undefined ? undefined : checkAge(option, value);
  };
  const filters: Record<string, string | undefined> = {
    prefix: args.value("--prefix"),
    pipeline: args.value("--pipeline"),
    reason: args.value("--reason"),
    eventType: args.value("--event-type"),
    olderThan: age("--older-than"),
    newerThan: age("--newer-than"),
  };
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined));
}

/** The option names of the filters, to say which were given where they do not belong. */
export const FILTER_OPTIONS = ["--prefix", "--pipeline", "--reason", "--event-type", "--older-than", "--newer-than"] as const;

/** The filters as a person reads them: `pipeline law, reason ~ "timeout", older than 2h`. */
export function filtersSentence(filters: EntryFilters): string {
  const parts: string[] = [];
  if (filters.prefix) parts.push(`prefix ${filters.prefix}`);
  if (filters.pipeline) parts.push(`pipeline ${filters.pipeline}`);
  if (filters.reason) parts.push(`reason containing ${JSON.stringify(filters.reason)}`);
  if (filters.eventType) parts.push(`event type ${filters.eventType}`);
  if (filters.olderThan) parts.push(`last failed more than ${filters.olderThan} ago`);
  if (filters.newerThan) parts.push(`last failed less than ${filters.newerThan} ago`);
  return parts.join(", ");
}
