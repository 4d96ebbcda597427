import { describe, expect, test } from "bun:test";
import { parseDotenv } from "../../../src/config/dotenv.ts";

describe("parseDotenv", () => {
  test("reads KEY=value lines, skipping blank lines and comments", () => {
    const source = ["# relay settings", "", "HOBOM_GRPC_ADDR=localhost:50051", "   # indented comment", "HOBOM_LOG_LEVEL = debug  "].join("\n");
    expect(parseDotenv(source)).toEqual({ values: { HOBOM_GRPC_ADDR: "localhost:50051", HOBOM_LOG_LEVEL: "debug" }, problems: [] });
  });

  test("accepts an export prefix and CRLF line ends", () => {
    expect(parseDotenv("export HOBOM_GRPC_API_KEY=s3cret\r\nexport  A=1\r\n").values).toEqual({ HOBOM_GRPC_API_KEY: "s3cret", A: "1" });
  });

  test("unquotes single- and double-quoted values, keeping what is inside", () => {
    const source = [`A="hello world"`, `B='it # stays'`, `C="line\\nbreak"`, `D="say \\"hi\\""`, `E=''`, `F='$NOT_EXPANDED'`].join("\n");
    expect(parseDotenv(source).values).toEqual({ A: "hello world", B: "it # stays", C: "line\nbreak", D: 'say "hi"', E: "", F: "$NOT_EXPANDED" });
  });

  test("drops an inline comment after an unquoted value but keeps a # inside one", () => {
    expect(parseDotenv("A=value # the comment\nB=a#b\nC=").values).toEqual({ A: "value", B: "a#b", C: "" });
  });

  test("drops an inline comment after a quoted value", () => {
    expect(parseDotenv(`A="quoted value" # the comment\nB='single' # another`).values).toEqual({ A: "quoted value", B: "single" });
  });

  test("lets a later line win over an earlier one", () => {
    expect(parseDotenv("A=1\nA=2").values).toEqual({ A: "2" });
  });

  test("reports each line that is not KEY=value by its number, and keeps the good ones", () => {
    const source = ["A=1", "just text", "=value", "1BAD=x", "export", "B=2"].join("\n");
    expect(parseDotenv(source)).toEqual({
      values: { A: "1", B: "2" },
      problems: [".env line 2: expected KEY=value", ".env line 3: expected KEY=value", ".env line 4: expected KEY=value", ".env line 5: expected KEY=value"],
    });
  });
});
