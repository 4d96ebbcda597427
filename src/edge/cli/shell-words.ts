/** Command lines printed for the operator to copy: each word quoted for a POSIX shell when it needs it. */
import { PROGRAM } from "./command-spec.ts";

export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `hobom-event-processor dlq job 'j 1'`: the program, then the words, quoted. */
export function commandLine(words: readonly string[]): string {
  return [PROGRAM, ...words.map(shellWord)].join(" ");
}
