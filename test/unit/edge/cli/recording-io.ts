/** A CliIo that records what a command printed and answers its questions from a script. */
import type { CliIo } from "../../../../src/edge/cli/io.ts";

export interface RecordingIo extends CliIo {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The questions asked, in order. */
  readonly asked: string[];
  /** Simulates Ctrl-C: calls every handler registered. */
  interrupt(): void;
}

export function recordingIo(
  options: { terminal?: boolean; answers?: (string | undefined)[]; columns?: number; now?: Date; files?: Record<string, string>; onSleep?: () => void } = {},
): RecordingIo {
  let stdout = "";
  let stderr = "";
  const asked: string[] = [];
  const answers = [...(options.answers ?? [])];
  const handlers = new Set<() => void>();
  return {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    outIsTerminal: options.terminal ?? false,
    canAsk: options.terminal ?? false,
    columns: options.columns ?? 120,
    async ask(question) {
      asked.push(question);
      return answers.shift();
    },
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    now: () => options.now ?? new Date("2026-12-01T12:00:00.000Z"),
    async sleep() {
      options.onSleep?.();
    },
    readFile(path) {
      const text = options.files?.[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), { code: "ENOENT" });
      return text;
    },
    stdout: () => stdout,
    stderr: () => stderr,
    asked,
    interrupt: () => {
      for (const handler of handlers) handler();
    },
  };
}
