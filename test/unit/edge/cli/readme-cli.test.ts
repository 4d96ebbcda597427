/** The README's "Running the service" and "Command line" sections stay true about the command table. */
import { expect, test } from "bun:test";
import { resolve } from "node:path";
import { COMMAND_TABLE } from "../../../../src/edge/cli/command-table.ts";
import { bashCompletionScript } from "../../../../src/edge/cli/completion-bash.ts";
import { zshCompletionScript } from "../../../../src/edge/cli/completion-zsh.ts";

const readme = await Bun.file(resolve(import.meta.dir, "../../../../README.md")).text();
const section = (heading: string) => {
  const start = readme.indexOf(`${heading}\n`);
  expect(start, `README has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const rest = readme.slice(start + heading.length + 1);
  const end = rest.search(/^#{2,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
};

test("Running the service shows every command the binary has", () => {
  const running = section("## Running the service");
  for (const command of COMMAND_TABLE.subcommands ?? []) {
    if (command.name === "help" || command.name === "completion" || command.name === "run") continue;
    expect(running).toContain(`./hobom-event-processor ${command.name}`);
  }
  expect(running).toContain("check-config --offline");
});

test("Command line shows every dlq subcommand and the install lines the completion scripts print", () => {
  const commandLine = section("### Command line");
  const dlq = COMMAND_TABLE.subcommands?.find((command) => command.name === "dlq");
  for (const sub of dlq?.subcommands ?? []) expect(commandLine).toContain(`dlq ${sub.name}`);
  for (const flag of ["--dry-run", "--json", "--yes", "--api-key-file", "--url", "HOBOM_CLI_API_KEY"]) expect(commandLine).toContain(flag);
  expect(bashCompletionScript()).toContain("/etc/bash_completion.d/hobom-event-processor");
  expect(commandLine).toContain("/etc/bash_completion.d/hobom-event-processor");
  expect(zshCompletionScript()).toContain('"${fpath[1]}/_hobom-event-processor"');
  expect(commandLine).toContain('"${fpath[1]}/_hobom-event-processor"');
});
