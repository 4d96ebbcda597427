/** The command line's routing and help, without any service: nothing here reads the environment. */
import { describe, expect, test } from "bun:test";
import { VARIABLE_LIST } from "../../../../src/config/variables.ts";
import type { CommandSpec } from "../../../../src/edge/cli/command-spec.ts";
import { COMMAND_TABLE } from "../../../../src/edge/cli/command-table.ts";
import { dispatch, type Service } from "../../../../src/edge/cli/dispatch.ts";
import { recordingIo } from "./recording-io.ts";

const service: Service = {
  reserved: { names: [], dlqPrefixes: [] },
  run: () => Promise.reject(new Error("the service must not run")),
  probes: () => {
    throw new Error("no probe must run");
  },
  probeTimeoutMs: 100,
};

async function run(...args: string[]) {
  const io = recordingIo();
  const code = await dispatch(args, service, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** Every command path of the table: ["check-config"], ["dlq", "retry"], … */
function commandPaths(command: CommandSpec = COMMAND_TABLE, path: string[] = []): string[][] {
  return (command.subcommands ?? []).flatMap((sub) => [[...path, sub.name], ...commandPaths(sub, [...path, sub.name])]);
}

describe("--help", () => {
  test("the program's help lists every command and subcommand, and every variable", async () => {
    const { code, stdout } = await run("--help");
    expect(code).toBe(0);
    for (const path of commandPaths()) expect(stdout).toContain(`  ${path.join(" ")}`);
    for (const variable of VARIABLE_LIST) expect(stdout).toContain(variable.name);
    expect(stdout).toContain("HOBOM_CLI_API_KEY");
    expect((await run("help")).stdout).toBe(stdout);
  });

  test("every command and subcommand has its own help with its usage and every option it accepts", async () => {
    for (const path of commandPaths()) {
      const command = path.reduce<CommandSpec | undefined>((node, name) => node?.subcommands?.find((sub) => sub.name === name), COMMAND_TABLE) as CommandSpec;
      const answer = await run(...path, "--help");
      expect({ path, code: answer.code, stderr: answer.stderr }).toEqual({ path, code: 0, stderr: "" });
      expect(answer.stdout.startsWith(`Usage: hobom-event-processor ${path.join(" ")}`)).toBe(true);
      for (const option of command.options ?? []) {
        if (option.refused) expect(answer.stdout).not.toContain(`${option.name} `);
        else expect(answer.stdout).toContain(option.name);
      }
      for (const sub of command.subcommands ?? []) expect(answer.stdout).toContain(`  ${sub.name}`);
      expect((await run("help", ...path)).stdout).toBe(answer.stdout);
      expect((await run(...path, "-h")).stdout).toBe(answer.stdout);
    }
  });

  test("--help anywhere among a command's options shows its help and runs nothing", async () => {
    const answer = await run("dlq", "retry", "--prefix", "dlq:menu:", "--yes", "--help");
    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain("Usage: hobom-event-processor dlq retry [KEY] [options]");
    expect(answer.stdout).toContain("--dry-run");
  });

  test("check-config's help explains --offline and its exit codes", async () => {
    const { stdout } = await run("check-config", "--help");
    expect(stdout).toContain("--offline");
    expect(stdout).toContain("exit 0, or 2 with a line per problem");
  });
});

describe("mistakes on the command line exit 2 and say what to do", () => {
  test("an unknown command or subcommand names the nearest one", async () => {
    expect(await run("chek-config")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'hobom-event-processor: unknown command "chek-config"; did you mean check-config?\n  see hobom-event-processor --help\n',
    });
    expect((await run("dlq", "lst")).stderr).toBe(
      'hobom-event-processor: unknown dlq command "lst"; did you mean ls?\n  see hobom-event-processor dlq --help\n',
    );
    expect((await run("help", "dlq", "nope")).code).toBe(2);
  });

  test("dlq alone prints its commands on stderr", async () => {
    const answer = await run("dlq");
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain("Usage: hobom-event-processor dlq <command>");
    expect(answer.stdout).toBe("");
  });

  test("an option a command does not take, or an argument too many", async () => {
    expect(await run("check-config", "--ofline")).toEqual({
      code: 2,
      stdout: "",
      stderr: "hobom-event-processor check-config: unknown option --ofline; did you mean --offline?\n  see hobom-event-processor check-config --help\n",
    });
    expect((await run("healthcheck", "now")).stderr).toContain('unexpected argument "now"; this command takes none');
    expect((await run("completion", "fish")).stderr).toContain('SHELL is "fish"; expected one of bash, zsh');
    expect((await run("completion")).stderr).toContain("SHELL is missing");
  });
});

describe("completion", () => {
  test("prints the bash and the zsh script", async () => {
    const bash = await run("completion", "bash");
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -F _hobom_event_processor hobom-event-processor");
    const zsh = await run("completion", "zsh");
    expect(zsh.stdout.startsWith("#compdef hobom-event-processor\n")).toBe(true);
  });
});
