/**
 * Query parameters as the routes declare them: how each is read, what the OpenAPI description
 * says of it, and the strict reading of a whole query (a parameter given twice is refused; one
 * the route does not know is refused by the guard, guard.ts). A value that does not fit is a 400
 * `invalid <name>` saying what is accepted. Names are case-sensitive.
 */
import { invalidParameter, invalidQuery } from "./dlq-errors.ts";

export interface Param<T> {
  readonly description: string;
  /** JSON Schema of the value, for the OpenAPI description. */
  readonly schema: Readonly<Record<string, unknown>>;
  /** Reads the raw value (undefined when absent); throws a 400 DlqError naming the parameter. */
  read(raw: string | undefined, name: string): T;
}

export type QuerySpec = Readonly<Record<string, Param<unknown>>>;

export type QueryValues<S extends QuerySpec> = { readonly [K in keyof S]: S[K] extends Param<infer T> ? T : never };

/** Every parameter of `spec` from `search`. */
export function readQuery<S extends QuerySpec>(spec: S, search: URLSearchParams): QueryValues<S> {
  const values: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(spec)) {
    const given = search.getAll(name);
    if (given.length > 1) throw invalidQuery(`parameter "${name}" is given ${given.length} times; give it once`);
    values[name] = param.read(given[0], name);
  }
  return values as QueryValues<S>;
}

/** Optional text, at most `maxLength` characters. */
export function text(description: string, maxLength = 512): Param<string | undefined> {
  return {
    description,
    schema: { type: "string", maxLength },
    read(raw, name) {
      if (raw !== undefined && raw.length > maxLength) throw invalidParameter(name, `${name} has at most ${maxLength} characters`);
      return raw;
    },
  };
}

/** A decimal whole number from `min` to `max`, `fallback` when absent. */
export function wholeNumber(description: string, min: number, max: number, fallback: number): Param<number> {
  return {
    description,
    schema: { type: "integer", minimum: min, maximum: max, default: fallback },
    read(raw, name) {
      if (raw === undefined) return fallback;
      const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(value >= min && value <= max)) throw invalidParameter(name, `${name} is a whole number from ${min} to ${max} (default ${fallback})`);
      return value;
    },
  };
}

/** `true` or `false`, nothing else; `fallback` when absent. */
export function flag(description: string, fallback: boolean): Param<boolean> {
  return {
    description,
    schema: { type: "boolean", default: fallback },
    read(raw, name) {
      if (raw === undefined) return fallback;
      if (raw === "true" || raw === "false") return raw === "true";
      throw invalidParameter(name, `${name} is true or false (default ${fallback})`);
    },
  };
}

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `30s`, `15m`, `2h` or `7d`, read as milliseconds; undefined when absent. */
export function duration(description: string): Param<number | undefined> {
  return {
    description,
    schema: { type: "string", pattern: "^[0-9]{1,6}[smhd]$", examples: ["30s", "15m", "2h", "7d"] },
    read(raw, name) {
      if (raw === undefined) return undefined;
      const match = /^(\d{1,6})([smhd])$/.exec(raw);
      if (!match) throw invalidParameter(name, `${name} is a number and a unit: s, m, h or d (e.g. 30s, 15m, 2h, 7d)`);
      return Number(match[1]) * (UNITS[match[2] as string] as number);
    },
  };
}

/** A SCAN cursor: an unsigned 64-bit number, as an earlier page's nextCursor gave it. */
export function scanCursor(description: string): Param<string | undefined> {
  const max = 2n ** 64n - 1n;
  return {
    description,
    schema: { type: "string", pattern: "^[0-9]{1,20}$" },
    read(raw, name) {
      if (raw === undefined) return undefined;
      if (!/^\d{1,20}$/.test(raw) || BigInt(raw) > max) throw invalidParameter(name, `${name} is the nextCursor of an earlier page (start with 0)`);
      return raw;
    },
  };
}
