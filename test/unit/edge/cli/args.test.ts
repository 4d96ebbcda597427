import { describe, expect, test } from "bun:test";
import { parseArgs, UsageError } from "../../../../src/edge/cli/args.ts";
import type { CommandSpec } from "../../../../src/edge/cli/command-spec.ts";
import { COMMAND_TABLE } from "../../../../src/edge/cli/command-table.ts";

const COMMAND: CommandSpec = {
  name: "try",
  summary: "a command to parse",
  args: [
    { name: "KEY", doc: "the key", required: true },
    { name: "MODE", doc: "how", required: false, choices: ["fast", "slow"] },
  ],
  options: [
    { name: "--prefix", value: "PREFIX", doc: "a prefix" },
    { name: "--reason", value: "TEXT", doc: "a reason" },
    { name: "--json", doc: "machine output" },
    { name: "--secret", doc: "", refused: "secrets on the command line show in ps" },
  ],
};

const usageError = (args: string[]) => {
  try {
    parseArgs(COMMAND, args);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`${args.join(" ")} was accepted`);
};

describe("parseArgs", () => {
  test("reads options with their value after a space or an equals sign, flags and positionals in any order", () => {
    const parsed = parseArgs(COMMAND, ["--prefix", "dlq:menu:", "k1", "--json", "--reason=a=b", "fast"]);
    expect(parsed.positionals).toEqual(["k1", "fast"]);
    expect([parsed.value("--prefix"), parsed.value("--reason"), parsed.flag("--json")]).toEqual(["dlq:menu:", "a=b", true]);
    expect([parsed.value("--json"), parsed.flag("--prefix"), parsed.value("--missing")]).toEqual([undefined, false, undefined]);
  });

  test("after -- every word is a positional, dashes and all", () => {
    expect(parseArgs(COMMAND, ["--", "--json"]).positionals).toEqual(["--json"]);
  });

  test("an unknown option names the nearest one it could have been", () => {
    expect(usageError(["k", "--prefx", "x"])).toBe("unknown option --prefx; did you mean --prefix?");
    expect(usageError(["k", "--zzzzzz"])).toBe("unknown option --zzzzzz");
  });

  test("a refused option says why and is never suggested", () => {
    expect(usageError(["k", "--secret"])).toBe("--secret is not accepted: secrets on the command line show in ps");
    expect(usageError(["k", "--secre"])).toBe("unknown option --secre");
  });

  test("an option given twice, a flag given a value and an option without its value are mistakes", () => {
    expect(usageError(["k", "--prefix", "a", "--prefix", "b"])).toBe("--prefix is given twice; give it once");
    expect(usageError(["k", "--json=yes"])).toBe("--json takes no value");
    expect(usageError(["k", "--prefix"])).toBe("--prefix needs a value (PREFIX); a value that starts with -- is written --prefix=VALUE");
    expect(usageError(["k", "--reason", "--json"])).toContain("--reason needs a value");
    expect(parseArgs(COMMAND, ["k", "--reason=--json"]).value("--reason")).toBe("--json");
  });

  test("positionals: the required ones must be there, no more than declared, and choices are checked", () => {
    expect(usageError([])).toBe("KEY is missing");
    expect(usageError(["k", "fast", "more"])).toBe('unexpected argument "more"');
    expect(usageError(["k", "medium"])).toBe('MODE is "medium"; expected one of fast, slow');
  });

  test("--help is accepted by every command", () => {
    expect(parseArgs(COMMAND, ["k", "--help"]).flag("--help")).toBe(true);
  });

  test("every dlq subcommand refuses --api-key and says where the key goes instead", () => {
    for (const command of COMMAND_TABLE.subcommands?.find((sub) => sub.name === "dlq")?.subcommands ?? []) {
      expect(() => parseArgs(command, ["--api-key", "s3cret"])).toThrow(/--api-key is not accepted: .*shows in `ps`.*--api-key-file FILE.*HOBOM_CLI_API_KEY/);
    }
  });
});
