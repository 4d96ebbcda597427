/**
 * `completion zsh`: a completion function for zsh, generated from the command table, with each
 * command's and option's one-line description. It works from $fpath (autoloaded by compinit) and
 * sourced after compinit.
 */
import { PROGRAM } from "./command-spec.ts";
import { COMMAND_TABLE } from "./command-table.ts";
import { type CompletionOption, commandWalk, completionNodes, shellQuote as quote, valuedOptions } from "./completion-model.ts";

/** A `word:description` entry for _describe, the word's colons escaped. */
const described = (word: string, doc: string) => quote(`${word.replace(/:/g, "\\:")}:${doc}`);

function valueAction(option: CompletionOption): string {
  if (option.value === "file") return "_files; return";
  if (option.value === "text" || option.value === undefined) return "return 1";
  return `values=(${option.value.map(quote).join(" ")}); compadd -a values; return`;
}

export function zshCompletionScript(): string {
  const nodes = completionNodes(COMMAND_TABLE);
  const fn = `_${PROGRAM}`;
  const valued = valuedOptions(nodes);
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}, printed by \`${PROGRAM} completion zsh\`.
# Install: ${PROGRAM} completion zsh > "\${fpath[1]}/_${PROGRAM}"   (a new shell picks it up)
#      or: source <(${PROGRAM} completion zsh)   (in ~/.zshrc, after compinit)
${fn}() {
  local command="" skip=0 word i
  local -a given values entries
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
${commandWalk(nodes)}
  done
  if ((skip)); then
    # The word under the cursor is the value of the option before it.
    case "$command \${words[CURRENT-1]}" in
${valued.map(({ pattern, option }) => `      ${quote(pattern)}) ${valueAction(option)} ;;`).join("\n")}
    esac
    return 1
  fi
  case "$command" in
${nodes
  .map(
    (node) =>
      `      ${quote(node.path)}) entries=(${[...node.words.map((w) => described(w.word, w.doc)), ...node.options.map((o) => described(o.word, o.doc))].join(" ")}) ;;`,
  )
  .join("\n")}
  esac
  # An option is given once: it is not offered again.
  for word in $given; do entries=(\${entries:#\${word}:*}); done
  _describe -t commands ${quote(PROGRAM)} entries
}
if [[ "\${funcstack[1]}" == ${quote(fn)} ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${PROGRAM}
fi
`;
}
