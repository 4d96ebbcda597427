/**
 * What the command line says about the configuration: `check-config --offline` (no dependency
 * tried), the .env on the start line, and warnings for HOBOM_* variables that nothing reads.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HoBomBackendDouble, startHoBomBackend } from "../../support/backends/index.ts";
import { relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { freePort, killAllRelays, startRelayProcess } from "../../support/relay-process.ts";
import { MAIN, runCli } from "./run-cli.ts";

const dirs: string[] = [];
let hobom: HoBomBackendDouble;

beforeAll(async () => {
  hobom = await startHoBomBackend({ apiKey: TEST_API_KEY });
});

afterAll(async () => {
  await killAllRelays();
  hobom?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function folder(dotenv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "hobom-cli-"));
  dirs.push(dir);
  if (dotenv !== undefined) writeFileSync(join(dir, ".env"), dotenv);
  return dir;
}

describe("check-config --offline", () => {
  test("checks the configuration only: with Kafka and Redis unreachable it still exits 0, and names the .env it read", async () => {
    const [kafkaPort, redisPort] = [await freePort(), await freePort()];
    const cwd = folder(`HOBOM_GRPC_ADDR=127.0.0.1:1\nHOBOM_GRPC_API_KEY=k\nHOBOM_KAFKA_BROKER=127.0.0.1:${kafkaPort}\nHOBOM_LOG_LEVEL=debug\n`);
    const run = await runCli(["check-config", "--offline"], { cwd, env: { HOBOM_REDIS_ADDR: `127.0.0.1:${redisPort}`, HOBOM_LOG_LEVEL: "warn" } });
    expect(run).toEqual({ code: 0, stdout: `ok   configuration (3 variable(s) from ${join(cwd, ".env")} (1 overridden by the environment))\n`, stderr: "" });
  });

  test("a configuration problem exits 2 (check-config without --offline: 1), one line per problem", async () => {
    const cwd = folder();
    const env = { HOBOM_GRPC_ADDR: "127.0.0.1:1", HOBOM_GRPC_API_KEY: "k", HOBOM_KAFKA_ACKS: "2" };
    const offline = await runCli(["check-config", "--offline"], { cwd, env });
    expect(offline).toEqual({
      code: 2,
      stdout: "",
      stderr: 'hobom-event-processor: the configuration has 1 problem(s):\n  - HOBOM_KAFKA_ACKS: "2" is not one of all, 1, 0 (e.g. HOBOM_KAFKA_ACKS=all)\n',
    });
    expect((await runCli(["check-config"], { cwd, env })).code).toBe(1);
  });

  test("warns about a HOBOM_* variable nothing reads, with the one it was meant to be; tests' and the CLI's variables are known", async () => {
    const cwd = folder("HOBOM_KAFKA_BROKR=kafka:9092\n");
    const run = await runCli(["check-config", "--offline"], {
      cwd,
      env: { HOBOM_GRPC_ADDR: "127.0.0.1:1", HOBOM_GRPC_API_KEY: "k", HOBOM_LOG_LEVE: "debug", HOBOM_TEST_REDIS_URL: "redis://x", HOBOM_CLI_API_KEY: "k" },
    });
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n").filter((line) => line.startsWith("warn"))).toEqual([
      "warn HOBOM_LOG_LEVE (set in the environment) is not a variable hobom-event-processor reads; did you mean HOBOM_LOG_LEVEL?",
      `warn HOBOM_KAFKA_BROKR (set in ${join(cwd, ".env")}) is not a variable hobom-event-processor reads; did you mean HOBOM_KAFKA_BROKER?`,
    ]);
  });

  test("when the configuration has problems, the warnings follow them: a typo often is the problem", async () => {
    const run = await runCli(["check-config", "--offline"], { cwd: folder(), env: { HOBOM_GRPC_ADR: "127.0.0.1:1", HOBOM_GRPC_API_KEY: "k" } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("  - HOBOM_GRPC_ADDR: is required");
    expect(run.stderr).toEndWith(
      "hobom-event-processor: warning: HOBOM_GRPC_ADR (set in the environment) is not a variable hobom-event-processor reads; did you mean HOBOM_GRPC_ADDR?\n",
    );
  });
});

describe("the start line", () => {
  /** The relay started from `cwd` (so that it finds that folder's .env). */
  const startIn = (cwd: string, env: Record<string, string>) =>
    startRelayProcess(env, { command: ["sh", "-c", 'cd "$0" && exec "$1" "$2"', cwd, process.execPath, MAIN] });

  test("names the .env it read, by its absolute path, and how many variables it took from it", async () => {
    const setup = relayTestSetup({ hobom });
    const { HOBOM_TOPIC_LOGS, HOBOM_LOG_LEVEL, ...env } = setup.env;
    const cwd = folder(`HOBOM_TOPIC_LOGS=${HOBOM_TOPIC_LOGS}\nHOBOM_LOG_LEVEL=${HOBOM_LOG_LEVEL}\nHOBOM_POLL_INTERVAL_MS=999\n`);
    const relay = await startIn(cwd, env);
    const started = relay.logs.find((line) => line.msg === "hobom-event-processor started");
    expect(started?.dotenv).toEqual({ path: join(cwd, ".env"), found: true, variables: 2, overridden: 1 });
    expect(await relay.stop()).toBe(0);
  });

  test("says when there was no .env, and warns about each unknown HOBOM_* variable before it", async () => {
    const setup = relayTestSetup({ hobom, overrides: { HOBOM_KAFKA_BROKR: "kafka:9092" } });
    const cwd = folder();
    const relay = await startIn(cwd, setup.env);
    const started = relay.logs.findIndex((line) => line.msg === "hobom-event-processor started");
    expect(relay.logs[started]?.dotenv).toEqual({ path: join(cwd, ".env"), found: false });
    const warnings = relay.logs.slice(0, started).filter((line) => line.level === "warn");
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: "unknown HOBOM_* variable: nothing reads it, so its value is not used",
        variable: "HOBOM_KAFKA_BROKR",
        setIn: ["the environment"],
        didYouMean: "HOBOM_KAFKA_BROKER",
      }),
    ]);
    expect(await relay.stop()).toBe(0);
  });
});
