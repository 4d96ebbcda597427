/**
 * JSON lines on stdout: `{"level","time","msg",...fields}`. Secrets never reach it: callers log
 * names and outcomes, and the config loader never hands out secret values to log.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line (e.g. `{ pipeline: "message" }`). */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing to `write` (stdout by default) at `level` and above. */
export function createLogger(options: { level: LogLevel; write?: (line: string) => void; now?: () => Date; fields?: LogFields }): Logger {
  const { level, write = (line) => process.stdout.write(line), now = () => new Date(), fields = {} } = options;
  const emit = (at: LogLevel, msg: string, extra?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    // The built-in fields come first and cannot be overwritten by a caller's field of that name.
    write(`${JSON.stringify({ level: at, time: now().toISOString(), msg, ...without(fields), ...without(extra) }, errorsAsText)}\n`);
  };
  return {
    debug: (msg, extra) => emit("debug", msg, extra),
    info: (msg, extra) => emit("info", msg, extra),
    warn: (msg, extra) => emit("warn", msg, extra),
    error: (msg, extra) => emit("error", msg, extra),
    child: (more) => createLogger({ level, write, now, fields: { ...fields, ...more } }),
  };
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });

function without(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const { level: _level, time: _time, msg: _msg, ...rest } = fields;
  return rest;
}

function errorsAsText(_key: string, value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === "bigint") return value.toString();
  return value;
}
