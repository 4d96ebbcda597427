/**
 * `dlq retry`: one entry by its key, or every entry a filter matches as a job on the instance:
 * a dry run lists them and changes nothing; a real one asks first (or needs --yes), starts the
 * job and follows it until it is done.
 */
import type { DryRunAnswer, JobStarted } from "./api-types.ts";
import { UsageError } from "./args.ts";
import type { DlqContext } from "./dlq-context.ts";
import { catchInterrupt, followJob } from "./dlq-jobs.ts";
import { entryFilters, FILTER_OPTIONS, filtersSentence, wholeNumber } from "./dlq-options.ts";
import { entriesTable, retriedLine } from "./entry-format.ts";
import { EXIT_FAILED } from "./exit-codes.ts";
import { isYes } from "./io.ts";

/** The API's defaults, said in the confirmation when the options do not set them. */
const DEFAULT_LIMIT = 1000;
const DEFAULT_RATE = 20;

export async function bulkOrSingleRetry(context: DlqContext): Promise<number> {
  const { args } = context;
  const key = args.positionals[0];
  if (key === undefined) return bulkRetry(context);
  const bulkOnly = [...FILTER_OPTIONS, "--limit", "--rate", "--dry-run"].filter((option) => args.flag(option) || args.value(option) !== undefined);
  if (bulkOnly.length > 0) throw new UsageError(`${bulkOnly.join(", ")} choose the entries of a bulk retry; give them or a KEY, not both`);
  const answer = await context.client.retryOne(key);
  context.io.out(context.json ? `${answer.text.trimEnd()}\n` : `${retriedLine(key, answer.body)}\n`);
  return 0;
}

async function bulkRetry(context: DlqContext): Promise<number> {
  const { client, io, args, json } = context;
  const filters = entryFilters(args);
  if (filters.prefix === undefined && filters.pipeline === undefined) {
    throw new UsageError("a bulk retry needs --prefix or --pipeline (or the KEY of one entry)");
  }
  const limit = wholeNumber(args, "--limit", 1, 10_000);
  const ratePerSecond = wholeNumber(args, "--rate", 1, 1000);
  const described = filtersSentence(filters);
  if (args.flag("--dry-run")) {
    const answer = await client.bulkRetry({ ...filters, limit, ratePerSecond, dryRun: true });
    if (json) {
      io.out(`${answer.text.trimEnd()}\n`);
      return 0;
    }
    const { items, matched } = answer.body as DryRunAnswer;
    if (items.length > 0) io.out(`${entriesTable(items, io.now(), io.columns).join("\n")}\n`);
    io.out(`dry run: ${items.length} entr${items.length === 1 ? "y" : "ies"} would be retried (${matched} matched ${described}); nothing was changed\n`);
    return 0;
  }
  if (!args.flag("--yes")) {
    if (!io.canAsk)
      throw new UsageError("a bulk retry asks first; stdin is not a terminal, so add --yes to retry without asking (or --dry-run to see what it would retry)");
    // The count comes from a read, which changes nothing and leaves no audit entry.
    const { matched } = (await client.listEntries({ ...filters, limit: 1 })).body;
    if (matched === 0) {
      io.out(`no entry matches ${described}; nothing to retry\n`);
      return 0;
    }
    const count = Math.min(matched, limit ?? DEFAULT_LIMIT);
    const reply = await io.ask(
      `Retry ${count} DLQ entr${count === 1 ? "y" : "ies"} (${described}) at ${ratePerSecond ?? DEFAULT_RATE} a second? Each is published again and removed. [y/N] `,
    );
    if (!isYes(reply)) {
      io.err("not retried\n");
      return EXIT_FAILED;
    }
  }
  // Caught from here on: a Ctrl-C while the job is being started still gets its id printed.
  const interrupt = catchInterrupt(io);
  let started: JobStarted;
  try {
    started = (await client.bulkRetry({ ...filters, limit, ratePerSecond })).body as JobStarted;
  } catch (error) {
    interrupt.stop();
    throw error;
  }
  const { job } = started;
  const entries = `${job.total} entr${job.total === 1 ? "y" : "ies"}`;
  return followJob(context, job.id, {
    interrupt,
    intro: `started job ${job.id}: ${entries} to retry; following it (Ctrl-C stops following, the job goes on)\n`,
  });
}
