/**
 * Reading one block of a pipelines file with the problems it has: each read names its key and
 * what is accepted, `${NAME}` (an upper-case name) is replaced from the environment, and keys the
 * block does not know are problems too (a typo must not be ignored). Problems are collected, so a
 * bad file says everything at once.
 */

/** One thing wrong with the file: where (`pipelines[1].sink.kind`) and what. */
export interface FileProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** `${NAME}` of an environment variable; lower-case `${field}` is left for the templates of the mapping. */
const ENV_REFERENCE = /\$\{([A-Z][A-Z0-9_]*)\}/g;

export class Fields {
  private readonly read = new Set<string>();

  constructor(
    private readonly raw: Readonly<Record<string, unknown>>,
    readonly path: readonly (string | number)[],
    private readonly problems: FileProblem[],
    private readonly env: Readonly<Record<string, string | undefined>>,
  ) {}

  /** A block at `path`, or a problem and an empty block when it is not a mapping. */
  static of(raw: unknown, path: readonly (string | number)[], problems: FileProblem[], env: Readonly<Record<string, string | undefined>>): Fields {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      problems.push({ path, message: `is ${describe(raw)}; expected a mapping of keys to values` });
      return new Fields({}, path, problems, env);
    }
    return new Fields(raw as Record<string, unknown>, path, problems, env);
  }

  problem(key: string | undefined, message: string): void {
    this.problems.push({ path: key === undefined ? this.path : [...this.path, key], message });
  }

  /** A text value (environment references replaced); `pattern` and `accepted` say what is valid. */
  string(key: string, options: { required?: boolean; pattern?: RegExp; accepted?: string } = {}): string | undefined {
    this.read.add(key);
    const value = this.raw[key];
    if (value === undefined || value === null) {
      if (options.required) this.problem(key, `is required${options.accepted ? ` (${options.accepted})` : ""}`);
      return undefined;
    }
    if (typeof value !== "string" && typeof value !== "number") {
      this.problem(key, `is ${describe(value)}; expected text${options.accepted ? ` (${options.accepted})` : ""}`);
      return undefined;
    }
    const text = this.substitute(key, String(value));
    if (text === undefined) return undefined;
    if (options.pattern && !options.pattern.test(text)) {
      this.problem(key, `"${text}" is not ${options.accepted ?? `of the form ${options.pattern}`}`);
      return undefined;
    }
    return text;
  }

  /** One of `choices`. */
  oneOf<const T extends string>(key: string, choices: readonly T[], options: { required?: boolean; what?: string } = {}): T | undefined {
    const text = this.string(key, { required: options.required, accepted: `one of ${choices.join(", ")}` });
    if (text === undefined) return undefined;
    if (!(choices as readonly string[]).includes(text)) {
      this.problem(key, `"${text}" is not one of ${choices.join(", ")}${options.what ? ` (${options.what})` : ""}`);
      return undefined;
    }
    return text as T;
  }

  /** A whole number within bounds. */
  integer(key: string, min: number, max: number): number | undefined {
    this.read.add(key);
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.problem(key, `is ${describe(value)}; expected a whole number from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  /** A list of whole numbers within bounds, as a list or comma-separated text ("1000, 5000"). */
  integers(key: string, min: number, max: number): number[] | undefined {
    this.read.add(key);
    const value = this.raw[key];
    if (value === undefined) return undefined;
    const items = typeof value === "string" ? value.split(",").map((item) => Number(item.trim())) : value;
    if (!Array.isArray(items) || items.length === 0 || items.some((item) => typeof item !== "number" || !Number.isInteger(item) || item < min || item > max)) {
      this.problem(key, `is ${describe(value)}; expected a list of whole numbers from ${min} to ${max} (e.g. [1000, 5000])`);
      return undefined;
    }
    return items as number[];
  }

  /** A list of texts, at least one. */
  strings(key: string, options: { required?: boolean; accepted?: string } = {}): string[] | undefined {
    this.read.add(key);
    const value = this.raw[key];
    if (value === undefined) {
      if (options.required) this.problem(key, `is required (a list${options.accepted ? ` of ${options.accepted}` : ""})`);
      return undefined;
    }
    if (!Array.isArray(value) || value.length === 0 || value.some((item) => typeof item !== "string" || item === "")) {
      this.problem(key, `is ${describe(value)}; expected a non-empty list of texts${options.accepted ? ` (${options.accepted})` : ""}`);
      return undefined;
    }
    return value as string[];
  }

  /** A list of blocks (each read with Fields.of); absent: undefined, or a problem when required. */
  list(key: string, options: { required?: boolean; accepted?: string } = {}): unknown[] | undefined {
    this.read.add(key);
    const value = this.raw[key];
    if (value === undefined) {
      if (options.required) this.problem(key, `is required${options.accepted ? ` (${options.accepted})` : ""}`);
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.problem(key, `is ${describe(value)}; expected a list${options.accepted ? ` (${options.accepted})` : ""}`);
      return undefined;
    }
    return value;
  }

  /** A nested block; absent: undefined, or a problem when required. */
  block(key: string, options: { required?: boolean; accepted?: string } = {}): Fields | undefined {
    this.read.add(key);
    const value = this.raw[key];
    if (value === undefined) {
      if (options.required) this.problem(key, `is required${options.accepted ? ` (${options.accepted})` : ""}`);
      return undefined;
    }
    return Fields.of(value, [...this.path, key], this.problems, this.env);
  }

  /** A mapping of names to texts (headers). */
  textMap(key: string): Record<string, string> | undefined {
    const block = this.block(key);
    if (!block) return undefined;
    const map: Record<string, string> = {};
    for (const name of block.keys()) {
      const value = block.string(name);
      if (value !== undefined) map[name] = value;
    }
    return map;
  }

  keys(): string[] {
    return Object.keys(this.raw);
  }

  /** Reports every key nobody read: a typo must not be ignored. Call once all reads are done. */
  rejectUnknown(): void {
    const known = [...this.read];
    for (const key of Object.keys(this.raw)) {
      if (!this.read.has(key)) this.problem(key, `is not a known key here (known: ${known.join(", ")})`);
    }
  }

  private substitute(key: string, text: string): string | undefined {
    let missing: string | undefined;
    const replaced = text.replace(ENV_REFERENCE, (whole, name: string) => {
      const value = this.env[name];
      if (value === undefined) {
        missing ??= name;
        return whole;
      }
      return value;
    });
    if (missing !== undefined) {
      this.problem(key, `refers to \${${missing}}, which is not set in the environment (set it, e.g. in the env file)`);
      return undefined;
    }
    return replaced;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `"${value}"`;
  return String(value);
}
