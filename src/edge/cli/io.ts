/**
 * Everything the dlq commands do to the world apart from HTTP, in one port: printing, the
 * terminal, a question on stdin, Ctrl-C, the clock, files. The process's own here; tests give theirs.
 */
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal: progress is rewritten in place. */
  readonly outIsTerminal: boolean;
  /** Columns a table may take: the terminal's width, or 120 when stdout is not a terminal. */
  readonly columns: number;
  /** stdin is a terminal: a question can be asked and answered. */
  readonly canAsk: boolean;
  /** Prints `question` on stderr and resolves with the line typed, or undefined at end of input. */
  ask(question: string): Promise<string | undefined>;
  /** Calls `handler` on Ctrl-C (SIGINT) instead of ending the process, until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  now(): Date;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  readFile(path: string): string;
}

/** Width used when stdout is a pipe or a file: long enough for a key, short enough to read. */
const PIPE_COLUMNS = 120;

export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    outIsTerminal: process.stdout.isTTY === true,
    columns: process.stdout.isTTY ? process.stdout.columns || PIPE_COLUMNS : PIPE_COLUMNS,
    canAsk: process.stdin.isTTY === true,
    async ask(question) {
      process.stderr.write(question);
      // terminal: false leaves the terminal in its own line mode, so Ctrl-C still ends the process.
      const lines = createInterface({ input: process.stdin, terminal: false });
      try {
        return await new Promise<string | undefined>((resolve) => {
          lines.once("line", resolve);
          lines.once("close", () => resolve(undefined));
        });
      } finally {
        lines.close();
      }
    },
    onInterrupt(handler) {
      process.on("SIGINT", handler);
      return () => void process.off("SIGINT", handler);
    },
    now: () => new Date(),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal.aborted) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      }),
    readFile: (path) => readFileSync(path, "utf8"),
  };
}

/** `y` or `yes`, in any case, is yes; anything else, an empty line or the end of input included, is no. */
export function isYes(reply: string | undefined): boolean {
  return /^\s*y(es)?\s*$/i.test(reply ?? "");
}
