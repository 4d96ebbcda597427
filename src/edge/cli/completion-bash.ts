/**
 * `completion bash`: a completion function for bash, generated from the command table. It reads
 * the line itself (COMP_LINE) instead of COMP_WORDS, because bash splits words at colons and
 * the DLQ prefixes and keys are full of them.
 */
import { PROGRAM } from "./command-spec.ts";
import { COMMAND_TABLE } from "./command-table.ts";
import { type CompletionOption, commandWalk, completionNodes, shellQuote as quote, valuedOptions } from "./completion-model.ts";

/** What bash does for an option's value. */
function valueAction(option: CompletionOption): string {
  if (option.value === "file") return `compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))`;
  if (option.value === "text" || option.value === undefined) return "COMPREPLY=()";
  return `COMPREPLY=($(compgen -W ${quote(option.value.join(" "))} -- "$cur"))`;
}

export function bashCompletionScript(): string {
  const nodes = completionNodes(COMMAND_TABLE);
  const fn = `_${PROGRAM.replace(/-/g, "_")}`;
  const valued = valuedOptions(nodes);
  return `# bash completion for ${PROGRAM}, printed by \`${PROGRAM} completion bash\`.
# Install: ${PROGRAM} completion bash > /etc/bash_completion.d/${PROGRAM}
#      or: source <(${PROGRAM} completion bash)   (in ~/.bashrc)
${fn}() {
  local line="\${COMP_LINE:0:COMP_POINT}" cur="" command="" skip=0 word words i
  local -a parts=() given=()
  read -ra parts <<< "$line"
  # The word under the cursor is the last one, unless the line ends with a space.
  if [[ "$line" != *[[:space:]] && \${#parts[@]} -gt 0 ]]; then cur="\${parts[-1]}"; unset 'parts[-1]'; fi
  for ((i = 1; i < \${#parts[@]}; i++)); do
    word="\${parts[i]}"
${commandWalk(nodes)}
  done
  COMPREPLY=()
  if ((skip)); then
    # The word under the cursor is the value of the option before it.
    case "$command \${parts[-1]}" in
${valued.map(({ pattern, option }) => `      ${quote(pattern)}) ${valueAction(option)} ;;`).join("\n")}
    esac
  else
    case "$command" in
${nodes.map((node) => `      ${quote(node.path)}) words=${quote([...node.words.map((w) => w.word), ...node.options.map((o) => o.word)].join(" "))} ;;`).join("\n")}
    esac
    # An option is given once: it is not offered again.
    for word in "\${given[@]}"; do words=" $words "; words="\${words/ $word / }"; done
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
  # bash replaces only what follows the word's last colon: give it only that part.
  if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
    local colon_word="\${cur%"\${cur##*:}"}"
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]="\${COMPREPLY[i]#"$colon_word"}"; done
  fi
}
complete -F ${fn} ${PROGRAM}
`;
}
