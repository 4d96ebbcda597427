import { describe, expect, test } from "bun:test";
import { unknownVariables, unknownVariableText } from "../../../../src/edge/cli/unknown-variables.ts";

const noDotenv = { path: "/srv/.env", names: [], overridden: [] };

describe("unknown HOBOM_* variables", () => {
  test("a typo in the environment or in the .env is reported with the variable it was meant to be", () => {
    const found = unknownVariables({
      processEnv: { HOBOM_KAFKA_BROKR: "kafka:9092", HOBOM_GRPC_ADDR: "x:1", PATH: "/bin" },
      dotenv: { path: "/srv/.env", names: ["HOBOM_LOG_LEVL", "HOBOM_REDIS_ADDR"], overridden: [] },
    });
    expect(found).toEqual([
      { name: "HOBOM_KAFKA_BROKR", sources: ["the environment"], suggestion: "HOBOM_KAFKA_BROKER" },
      { name: "HOBOM_LOG_LEVL", sources: ["/srv/.env"], suggestion: "HOBOM_LOG_LEVEL" },
    ]);
    expect(unknownVariableText(found[0] as (typeof found)[0])).toBe(
      "HOBOM_KAFKA_BROKR (set in the environment) is not a variable hobom-event-processor reads; did you mean HOBOM_KAFKA_BROKER?",
    );
  });

  test("a name unlike any variable gets no guess but a pointer to --help", () => {
    const [found] = unknownVariables({ processEnv: { HOBOM_SOMETHING_ELSE_ENTIRELY: "1" }, dotenv: noDotenv });
    expect(found?.suggestion).toBeUndefined();
    expect(unknownVariableText(found as NonNullable<typeof found>)).toEndWith("reads; hobom-event-processor --help lists the variables");
  });

  test("a .env value that the runtime copied into the environment is the file's; one the environment overrides is in both", () => {
    const found = unknownVariables({
      processEnv: { HOBOM_KAFKA_BROKR: "same", HOBOM_LOG_LEVL: "other" },
      dotenv: { path: "/srv/.env", names: ["HOBOM_KAFKA_BROKR", "HOBOM_LOG_LEVL"], overridden: ["HOBOM_LOG_LEVL"] },
    });
    expect(found.map((variable) => [variable.name, variable.sources])).toEqual([
      ["HOBOM_LOG_LEVL", ["the environment", "/srv/.env"]],
      ["HOBOM_KAFKA_BROKR", ["/srv/.env"]],
    ]);
  });

  test("the tests' and the command line's variables, and names the pipelines file refers to, are not warned about", () => {
    const found = unknownVariables({
      processEnv: { HOBOM_TEST_REDIS_URL: "redis://x", HOBOM_TEST_ANYTHING: "1", HOBOM_CLI_API_KEY: "k", HOBOM_ORDERS_ADDR: "x:1", OTHER_TYPO: "1" },
      dotenv: noDotenv,
      pipelinesFileText: "address: ${HOBOM_ORDERS_ADDR}\nkey: ${payload.id}\n",
    });
    expect(found).toEqual([]);
  });

  test("every variable of the variable table is known", async () => {
    const { VARIABLE_LIST } = await import("../../../../src/config/variables.ts");
    const processEnv = Object.fromEntries(VARIABLE_LIST.map((variable) => [variable.name, variable.example]));
    expect(unknownVariables({ processEnv, dotenv: noDotenv })).toEqual([]);
  });
});
