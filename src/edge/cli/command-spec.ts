/**
 * The shape of the command line, declared once: the argument parser, every `--help` text and the
 * shell completions are all read from the one table of commands built of these.
 */

export interface OptionSpec {
  /** With its dashes: `--prefix`. */
  readonly name: string;
  /** The placeholder of its value in help texts (`PREFIX`); absent, the option is a flag. */
  readonly value?: string;
  readonly doc: string;
  /** What a shell offers for its value: file names, or these words. */
  readonly complete?: "file" | readonly string[];
  /**
   * An option that is refused on purpose, with why and what to use instead; it is in no help
   * text and no completion, and exists so that a natural guess gets a useful answer.
   */
  readonly refused?: string;
}

export interface ArgumentSpec {
  readonly name: string;
  readonly doc: string;
  readonly required: boolean;
  /** The words a shell offers for it. */
  readonly choices?: readonly string[];
}

export interface CommandSpec {
  readonly name: string;
  /** One line, for the list of commands. */
  readonly summary: string;
  /** What the command does, for its own `--help`; lines of at most ~100 characters. */
  readonly description?: readonly string[];
  readonly args?: readonly ArgumentSpec[];
  readonly options?: readonly OptionSpec[];
  readonly subcommands?: readonly CommandSpec[];
  /** Command lines shown under "Examples", without the program name. */
  readonly examples?: readonly string[];
}

/** The program's name, as commands, help texts and completions spell it. */
export const PROGRAM = "hobom-event-processor";

/** The options a command accepts, --help included, which every command takes. */
export function acceptedOptions(command: CommandSpec): readonly OptionSpec[] {
  return [...(command.options ?? []), HELP_OPTION];
}

export const HELP_OPTION: OptionSpec = { name: "--help", doc: "print this help" };

/** The command at `path` (`["dlq", "retry"]`), or undefined. */
export function findCommand(root: CommandSpec, path: readonly string[]): CommandSpec | undefined {
  let command: CommandSpec | undefined = root;
  for (const name of path) command = command?.subcommands?.find((sub) => sub.name === name);
  return command;
}
