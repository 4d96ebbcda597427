/**
 * Bulk retry jobs: following one until it is done (Ctrl-C stops following, never the job),
 * `dlq job ID` to show, follow again or cancel it, `dlq jobs` to list them.
 */
import type { Answer } from "./api-client.ts";
import type { Job } from "./api-types.ts";
import type { DlqContext } from "./dlq-context.ts";
import { EXIT_FAILED, EXIT_INTERRUPTED } from "./exit-codes.ts";
import { jobSummary, jobsTable, progressLine } from "./job-format.ts";

/** How often a job is asked for its progress. */
const POLL_MS = 1000;
/** Into a pipe or a file, progress is a new line, at most this often (a terminal's line is rewritten every poll). */
const PIPE_PROGRESS_MS = 10_000;
/** Erases the terminal's current line. */
const CLEAR_LINE = "\r\x1b[2K";

/** Ctrl-C caught: `signal` aborts on it instead of the process ending, until `stop`. */
export interface Interruption {
  readonly signal: AbortSignal;
  stop(): void;
}

export function catchInterrupt(io: DlqContext["io"]): Interruption {
  const controller = new AbortController();
  const stop = io.onInterrupt(() => controller.abort());
  return { signal: controller.signal, stop };
}

/**
 * Follows the job until it is no longer running; exit 0 when every entry was retried. A bulk
 * retry passes the Interruption it caught before starting the job, so that a Ctrl-C at any
 * moment after the job exists still prints its id; `intro` is printed first.
 */
export async function followJob(context: DlqContext, id: string, options: { intro?: string; interrupt?: Interruption } = {}): Promise<number> {
  const { client, io, json } = context;
  const interrupt = options.interrupt ?? catchInterrupt(io);
  if (options.intro !== undefined && !json) io.out(options.intro);
  let onLine = false;
  let lastPrinted = { at: Number.NEGATIVE_INFINITY, text: "" };
  const endLine = () => {
    if (onLine) io.out(CLEAR_LINE);
    onLine = false;
  };
  try {
    while (!interrupt.signal.aborted) {
      let answer: Answer<Job>;
      try {
        answer = await client.getJob(id, interrupt.signal);
      } catch (error) {
        if (interrupt.signal.aborted) break;
        throw error;
      }
      if (answer.body.state !== "running") {
        endLine();
        return finished(context, answer);
      }
      if (!json) {
        const text = progressLine(answer.body);
        const now = io.now().getTime();
        if (io.outIsTerminal) {
          io.out(`${CLEAR_LINE}${text}`);
          onLine = true;
        } else if (text !== lastPrinted.text && now - lastPrinted.at >= PIPE_PROGRESS_MS) {
          io.out(`${text}\n`);
          lastPrinted = { at: now, text };
        }
      }
      await io.sleep(POLL_MS, interrupt.signal);
    }
  } finally {
    interrupt.stop();
  }
  endLine();
  io.err(
    `stopped following job ${id}; it goes on on the instance\n  follow it again: ${context.again("job", id)}\n  cancel it:       ${context.again("job", id, "--cancel")}\n`,
  );
  return EXIT_INTERRUPTED;
}

function finished({ io, json }: DlqContext, answer: Answer<Job>): number {
  io.out(json ? `${answer.text.trimEnd()}\n` : `${jobSummary(answer.body, io.columns).join("\n")}\n`);
  return answer.body.state === "succeeded" ? 0 : EXIT_FAILED;
}

export async function jobCommand(context: DlqContext): Promise<number> {
  const { client, io, args, json } = context;
  const id = args.positionals[0] as string;
  if (args.flag("--cancel")) {
    const answer = await client.cancelJob(id);
    io.out(json ? `${answer.text.trimEnd()}\n` : `${jobSummary(answer.body, io.columns).join("\n")}\n`);
    return 0;
  }
  if (!args.flag("--no-follow")) return followJob(context, id);
  const answer = await client.getJob(id);
  if (answer.body.state !== "running") return finished(context, answer);
  io.out(json ? `${answer.text.trimEnd()}\n` : `${progressLine(answer.body)}\n`);
  return 0;
}

export async function jobsCommand({ client, io, json }: DlqContext): Promise<number> {
  const answer = await client.listJobs();
  if (json) io.out(`${answer.text.trimEnd()}\n`);
  else if (answer.body.items.length === 0) io.out("no bulk retry job (jobs are kept 7 days)\n");
  else io.out(`${jobsTable(answer.body.items, io.now(), io.columns).join("\n")}\n`);
  return 0;
}
