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

/** Single-quoted for bash and zsh alike. */
export const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The shell loop both scripts run over the words before the cursor (each in `word`): options
 * given are collected in `given`, an option's value is skipped (`skip` stays 1 when the cursor is
 * on one), and `command` becomes the command path the words name.
 */
export function commandWalk(nodes: readonly CompletionNode[]): string {
  const paths = new Set(nodes.map((node) => node.path));
  const descend = nodes.flatMap((node) =>
    node.words.filter((word) => paths.has(node.path === "" ? word.word : `${node.path} ${word.word}`)).map((word) => `${node.path}/${word.word}`),
  );
  const valued = valuedOptions(nodes).map(({ pattern }) => pattern);
  return `    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --*=*) given+=("\${word%%=*}"); continue ;;
      -*)
        given+=("$word")
        case "$command $word" in
          ${valued.map(shellQuote).join("|")}) skip=1 ;;
        esac
        continue ;;
    esac
    case "$command/$word" in
      ${descend.map(shellQuote).join("|")}) command="\${command:+$command }$word" ;;
    esac`;
}

/** The options that take a value, by the command path and option they follow. */
export function valuedOptions(nodes: readonly CompletionNode[]): { pattern: string; option: CompletionOption }[] {
  return nodes.flatMap((node) => node.options.filter((option) => option.value).map((option) => ({ pattern: `${node.path} ${option.word}`, option })));
}
