import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEnvironment } from "../../../src/config/environment.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function folder(dotenv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "hobom-env-"));
  dirs.push(dir);
  if (dotenv !== undefined) writeFileSync(join(dir, ".env"), dotenv);
  return dir;
}

describe("readEnvironment", () => {
  test("without a .env: the process environment alone, and the absolute path that was looked for", () => {
    const cwd = folder();
    expect(readEnvironment({ cwd, processEnv: { HOBOM_LOG_LEVEL: "debug" } })).toEqual({
      env: { HOBOM_LOG_LEVEL: "debug" },
      problems: [],
      dotenv: { path: join(cwd, ".env"), found: false, names: [], overridden: [] },
    });
  });

  test("a .env fills what the environment does not set; the environment wins, and what it overrode is said", () => {
    const cwd = folder("HOBOM_GRPC_ADDR=a:1\nHOBOM_LOG_LEVEL=debug\nHOBOM_KAFKA_ACKS=1\n");
    const read = readEnvironment({ cwd, processEnv: { HOBOM_LOG_LEVEL: "warn", HOBOM_KAFKA_ACKS: "1", PATH: "/bin" } });
    expect(read.env).toEqual({ HOBOM_GRPC_ADDR: "a:1", HOBOM_LOG_LEVEL: "warn", HOBOM_KAFKA_ACKS: "1", PATH: "/bin" });
    // HOBOM_KAFKA_ACKS has the file's value: Bun's runtime copies a .env into the environment itself.
    expect(read.dotenv).toEqual({
      path: join(cwd, ".env"),
      found: true,
      names: ["HOBOM_GRPC_ADDR", "HOBOM_LOG_LEVEL", "HOBOM_KAFKA_ACKS"],
      overridden: ["HOBOM_LOG_LEVEL"],
    });
  });

  test("a line that is not KEY=value is a problem naming the file's absolute path and the line", () => {
    const cwd = folder("A=1\nnot a line\n");
    expect(readEnvironment({ cwd, processEnv: {} }).problems).toEqual([`${join(cwd, ".env")} line 2: expected KEY=value`]);
  });

  test("a .env that exists but cannot be read is a problem, not a crash", () => {
    const cwd = folder();
    mkdirSync(join(cwd, ".env"));
    const read = readEnvironment({ cwd, processEnv: { A: "1" } });
    expect(read.env).toEqual({ A: "1" });
    expect(read.problems).toEqual([`${join(cwd, ".env")}: cannot be read (EISDIR); make it a file this user can read, or remove it`]);
  });
});
