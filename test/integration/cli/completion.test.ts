/**
 * The completion scripts, run by the shells themselves: the script `completion bash|zsh` prints
 * is sourced, the completion function is called on a command line, and what it offers is read
 * back. bash runs its real `compgen`; zsh (when installed) runs the function with zsh's
 * completion builtins replaced by recorders, since they work only inside the line editor.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./run-cli.ts";

let dir: string;
let bashScript: string;
let zshScript: string;
const HAS_ZSH = Bun.which("zsh") !== null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hobom-completion-"));
  bashScript = join(dir, "hobom-event-processor.bash");
  zshScript = join(dir, "_hobom-event-processor");
  writeFileSync(bashScript, (await runCli(["completion", "bash"])).stdout);
  writeFileSync(zshScript, (await runCli(["completion", "zsh"])).stdout);
  writeFileSync(join(dir, "key.txt"), "k\n");
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function shell(command: string[], script: string): Promise<string> {
  const child = Bun.spawn([...command, script], { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir }, stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  if (code !== 0 || stderr !== "") throw new Error(`${command[0]} exited ${code}: ${stderr}`);
  return stdout;
}

/** What bash offers for each line (the cursor at its end), as the words of COMPREPLY. */
async function bashOffers(...lines: string[]): Promise<string[][]> {
  const calls = lines.map((line) => `offer ${JSON.stringify(line)}`).join("\n");
  const out = await shell(
    ["bash", "--norc", "-c"],
    `source ${JSON.stringify(bashScript)}
offer() {
  COMP_LINE="$1"; COMP_POINT=\${#1}; read -ra COMP_WORDS <<< "$1"; COMP_CWORD=\${#COMP_WORDS[@]}
  [[ "$1" == *" " ]] || COMP_CWORD=$((COMP_CWORD - 1))
  COMPREPLY=(); _hobom_event_processor
  printf '%s\\n' "\${COMPREPLY[*]}"
}
[[ "$(complete -p hobom-event-processor)" == "complete -F _hobom_event_processor hobom-event-processor" ]] || echo "not registered"
${calls}`,
  );
  return out
    .trimEnd()
    .split("\n")
    .map((line) => (line === "" ? [] : line.split(" ")));
}

describe("bash", () => {
  test("offers the commands, then a command's subcommands, then its options", async () => {
    const [top, partial, dlq, options, check] = await bashOffers(
      "hobom-event-processor ",
      "hobom-event-processor ch",
      "hobom-event-processor dlq r",
      "hobom-event-processor dlq retry --d",
      "hobom-event-processor check-config ",
    );
    expect(top).toEqual(["run", "check-config", "healthcheck", "migrate", "dlq", "completion", "help", "--help", "--version"]);
    expect(partial).toEqual(["check-config"]);
    expect(dlq).toEqual(["retry", "rm"]);
    expect(options).toEqual(["--dry-run"]);
    expect(check).toEqual(["--offline", "--help"]);
  });

  test("offers the DLQ prefixes and pipelines for their options; with colons in the word only what follows the last colon", async () => {
    const [prefixes, colon, pipelines, shells] = await bashOffers(
      "hobom-event-processor dlq ls --prefix ",
      "hobom-event-processor dlq ls --prefix dlq:sp",
      "hobom-event-processor dlq retry --pipeline an",
      "hobom-event-processor completion ",
    );
    expect(prefixes).toEqual(["dlq:menu:", "dlq:log:", "dlq:space:", "dlq:space-log:", "dlq:law:", "dlq:angel:", "dlq:angel-log:"]);
    expect(colon).toEqual(["space:", "space-log:"]);
    expect(pipelines).toEqual(["angel", "angel-log"]);
    expect(shells).toEqual(["bash", "zsh", "--help"]);
  });

  test("an option's value is not taken for a command, a given option is not offered again, free text gets nothing, files get files", async () => {
    const [afterValue, given, text, files] = await bashOffers(
      "hobom-event-processor dlq ls --reason dlq --li",
      "hobom-event-processor dlq ls --json --limit 5 --j",
      "hobom-event-processor dlq ls --reason ",
      "hobom-event-processor dlq show --api-key-file ke",
    );
    expect(afterValue).toEqual(["--limit"]);
    expect(given).toEqual([]);
    expect(text).toEqual([]);
    expect(files).toEqual(["key.txt"]);
  });
});

describe.skipIf(!HAS_ZSH)("zsh", () => {
  /** For each line: what the function handed to _describe (words), compadd (words) or _files. */
  async function zshOffers(...lines: string[]): Promise<string[]> {
    const calls = lines.map((line) => `offer ${JSON.stringify(line)}`).join("\n");
    const out = await shell(
      ["zsh", "-f", "-c"],
      `autoload -U compinit && compinit -u -d ${JSON.stringify(join(dir, ".zcompdump"))}
source ${JSON.stringify(zshScript)}
[[ "$_comps[hobom-event-processor]" == "_hobom-event-processor" ]] || print "not registered"
_describe() { local -a list; list=("\${(@P)\${@[-1]}}"); print -r -- "describe \${(j: :)\${(@)list%%:*}}"; }
compadd() { print -r -- "compadd \${(@P)\${@[-1]}}"; }
_files() { print -r -- "files"; }
offer() {
  words=(\${=1}); [[ "$1" == *" " ]] && words+=("")
  CURRENT=\${#words}
  _hobom-event-processor || print -r -- "nothing"
}
${calls}`,
    );
    return out.trimEnd().split("\n");
  }

  test("registers itself with compdef and offers commands, subcommands with their descriptions, options and values", async () => {
    expect(
      await zshOffers(
        "hobom-event-processor ",
        "hobom-event-processor dlq ",
        "hobom-event-processor dlq retry --prefix ",
        "hobom-event-processor dlq ls --json --limit 5 ",
        "hobom-event-processor dlq ls --api-key-file ",
        "hobom-event-processor dlq ls --reason ",
      ),
    ).toEqual([
      "describe run check-config healthcheck migrate dlq completion help --help --version",
      "describe ls show retry rm audit jobs job --help",
      "compadd dlq:menu: dlq:log: dlq:space: dlq:space-log: dlq:law: dlq:angel: dlq:angel-log:",
      "describe --prefix --pipeline --reason --event-type --older-than --newer-than --cursor --url --api-key-file --help",
      "files",
      "nothing",
    ]);
  });

  test("each entry carries its one-line description for zsh to show", async () => {
    const script = await Bun.file(zshScript).text();
    expect(script).toContain("'ls:list DLQ entries with their pipeline, attempts, last failure and reason'");
    expect(script).toContain("'--dry-run:bulk: list the entries that would be retried; nothing changes'");
  });
});
