/**
 * The command table flattened for the completion scripts: for every command path ("", "dlq",
 * "dlq retry") the words that may follow it and the options it takes, with what each option's
 * value completes to.
 */
import { acceptedOptions, type CommandSpec } from "./command-spec.ts";

export interface CompletionWord {
  readonly word: string;
  readonly doc: string;
}

export interface CompletionOption extends CompletionWord {
  /** Absent: a flag. "file": file names. "text": free text, nothing offered. Else these words. */
  readonly value?: "file" | "text" | readonly string[];
}

export interface CompletionNode {
  /** The command path, words joined by one space; "" is the program itself. */
  readonly path: string;
  /** Subcommands and the words a positional argument may be. */
  readonly words: readonly CompletionWord[];
  readonly options: readonly CompletionOption[];
}

/** The program's own flags, beside its commands. */
const ROOT_FLAGS: readonly CompletionOption[] = [
  { word: "--help", doc: "print the help" },
  { word: "--version", doc: "print the version and commit" },
];

export function completionNodes(root: CommandSpec): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (command: CommandSpec, path: string) => {
    const words: CompletionWord[] = (command.subcommands ?? []).map((sub) => ({ word: sub.name, doc: sub.summary }));
    for (const arg of command.args ?? []) for (const choice of arg.choices ?? []) words.push({ word: choice, doc: arg.doc });
    // `help` takes a command path: it offers the commands.
    if (command.name === "help") for (const sub of root.subcommands ?? []) if (sub.name !== "help") words.push({ word: sub.name, doc: sub.summary });
    const options: CompletionOption[] =
      path === ""
        ? [...ROOT_FLAGS]
        : acceptedOptions(command)
            .filter((option) => !option.refused)
            .map((option) => ({
              word: option.name,
              doc: option.doc,
              value: option.value === undefined ? undefined : (option.complete ?? "text"),
            }));
    nodes.push({ path, words, options });
    for (const sub of command.subcommands ?? []) visit(sub, path === "" ? sub.name : `${path} ${sub.name}`);
  };
  visit(root, "");
  return nodes;
}
