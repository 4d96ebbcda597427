/**
 * The arguments of one command, read against its row of the command table: `--name value`,
 * `--name=value`, flags, `--` before positionals that start with a dash. A mistake is a
 * UsageError that says what was wrong and what the command accepts.
 */
import { acceptedOptions, type CommandSpec } from "./command-spec.ts";
import { closest } from "./did-you-mean.ts";

/** An operator's mistake on the command line: exit 2, with the message and a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  /** Whether the flag was given. */
  flag(name: string): boolean;
  /** The option's value, or undefined when it was not given. */
  value(name: string): string | undefined;
}

export function parseArgs(command: CommandSpec, args: readonly string[]): ParsedArgs {
  const accepted = acceptedOptions(command);
  const given = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const option = accepted.find((candidate) => candidate.name === name);
    if (!option) {
      const suggestion = closest(
        name,
        accepted.filter((candidate) => !candidate.refused).map((candidate) => candidate.name),
      );
      throw new UsageError(`unknown option ${name}${suggestion ? `; did you mean ${suggestion}?` : ""}`);
    }
    if (option.refused) throw new UsageError(`${name} is not accepted: ${option.refused}`);
    if (given.has(name)) throw new UsageError(`${name} is given twice; give it once`);
    if (option.value === undefined) {
      if (equals > 0) throw new UsageError(`${name} takes no value`);
      given.set(name, true);
      continue;
    }
    const value = equals > 0 ? arg.slice(equals + 1) : args[++index];
    // `--reason --json` is far more often a forgotten value than a reason that starts with dashes.
    if (value === undefined || (equals < 0 && value.startsWith("--"))) {
      throw new UsageError(`${name} needs a value (${option.value}); a value that starts with -- is written ${name}=VALUE`);
    }
    given.set(name, value);
  }
  const specs = command.args ?? [];
  const required = specs.filter((spec) => spec.required);
  if (positionals.length < required.length) {
    throw new UsageError(`${(required[positionals.length] ?? required[0])?.name} is missing`);
  }
  if (positionals.length > specs.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[specs.length])}${specs.length === 0 ? "; this command takes none" : ""}`);
  }
  specs.forEach((spec, index) => {
    const value = positionals[index];
    if (value !== undefined && spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`${spec.name} is ${JSON.stringify(value)}; expected one of ${spec.choices.join(", ")}`);
    }
  });
  return {
    positionals,
    flag: (name) => given.get(name) === true,
    value: (name) => {
      const value = given.get(name);
      return typeof value === "string" ? value : undefined;
    },
  };
}
