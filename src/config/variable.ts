/** One environment variable: its name, what it does, its default and how its value is read. */
import { integer, type Parser } from "./parsers.ts";

export interface Variable<T> {
  readonly name: string;
  /** What it does, in the operator's words. */
  readonly doc: string;
  /** A valid value, shown in errors and in `--help`. */
  readonly example: string;
  /** Used when the variable is unset or empty; absent means optional with no value. */
  readonly fallback?: string;
  readonly required?: boolean;
  /** Never printed: api keys and passwords. */
  readonly secret?: boolean;
  readonly parse: Parser<T>;
}

export function variable<T>(spec: Variable<T>): Variable<T> {
  return Object.freeze(spec);
}

/** Milliseconds, from 1 ms to an hour. */
export const MS = integer(1, 3_600_000);
