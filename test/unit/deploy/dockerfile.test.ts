/**
 * The Dockerfile, read as Docker reads it (there is no Docker engine on the test machines): a
 * build stage on the builder's platform that cross-compiles for BuildKit's TARGETARCH (its shell
 * step is run here with a stand-in `bun` that records its arguments), and a distroless, non-root
 * runtime stage holding the one binary, with its HEALTHCHECK and a stop signal.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { VARIABLES } from "../../../src/config/variables.ts";
import { ROOT, run } from "./deploy-files.ts";

const BINARY = "/usr/local/bin/hobom-event-processor";

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions, stage by stage: continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  let pending = "";
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line)) continue;
    pending += line;
    // As Docker does: the backslash and the line break go, the lines run on.
    if (pending.endsWith("\\")) {
      pending = pending.slice(0, -1);
      continue;
    }
    const match = /^\s*(\w+)\s+([\s\S]*)$/.exec(pending);
    pending = "";
    if (!match) continue;
    const instruction = { keyword: (match[1] as string).toUpperCase(), args: (match[2] as string).trim() };
    if (instruction.keyword === "FROM") stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const dockerfile = await Bun.file(resolve(ROOT, "Dockerfile")).text();
const [build = [], runtime = [], ...extra] = parseDockerfile(dockerfile);
const bunVersion = /^BUN_VERSION=(\S+)$/m.exec(await Bun.file(resolve(ROOT, "test/infra/with-bun.sh")).text())?.[1];
const all = (stage: Instruction[], keyword: string) => stage.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
/** `ARG NAME=default` of a stage, as a map (no default: ""). */
const argsOf = (stage: Instruction[]) => new Map(all(stage, "ARG").map((arg) => [arg.split("=")[0] as string, arg.split("=").slice(1).join("=")]));

describe("Dockerfile", () => {
  test("has a build stage on the builder's platform with the pinned Bun, and a distroless runtime stage", () => {
    expect(extra).toEqual([]);
    expect(all(build, "FROM")).toEqual([`--platform=$BUILDPLATFORM oven/bun:${bunVersion} AS build`]);
    expect(all(runtime, "FROM")).toEqual(["gcr.io/distroless/cc-debian12:nonroot"]);
  });

  test("copies into the build only what exists in the repository", () => {
    for (const copy of all(build, "COPY")) {
      const sources = copy.split(/\s+/).slice(0, -1);
      for (const source of sources) expect(existsSync(resolve(ROOT, source)), `COPY ${source}`).toBe(true);
    }
  });

  test("the runtime stage holds the binary alone, runs as nonroot, and starts it in exec form", () => {
    expect(all(runtime, "COPY")).toEqual([`--from=build /out/hobom-event-processor ${BINARY}`]);
    for (const keyword of ["ADD", "WORKDIR", "VOLUME"]) expect(all(runtime, keyword), keyword).toEqual([]);
    expect(all(runtime, "USER")).toEqual(["nonroot:nonroot"]);
    expect(JSON.parse(all(runtime, "ENTRYPOINT")[0] as string)).toEqual([BINARY]);
    expect(all(runtime, "STOPSIGNAL")).toEqual(["SIGTERM"]);
    // distroless has no shell: every RUN there is exec form, and the binary runs once on the target platform.
    const runs = all(runtime, "RUN").map((args) => JSON.parse(args));
    expect(runs).toEqual([[BINARY, "--version"]]);
    expect(runtime.findIndex((instruction) => instruction.keyword === "USER")).toBeLessThan(runtime.findIndex((instruction) => instruction.keyword === "RUN"));
  });

  test("checks health with the binary's own healthcheck command, and listens where it says", () => {
    const [healthcheck] = all(runtime, "HEALTHCHECK");
    const command = /\bCMD\s+(\[.*\])$/s.exec(healthcheck ?? "")?.[1];
    expect(JSON.parse(command ?? "null")).toEqual([BINARY, "healthcheck"]);
    expect(healthcheck).toMatch(/--interval=\d+s --timeout=\d+s --start-period=\d+s --retries=\d+/);
    expect(all(runtime, "ENV")).toEqual(["HOBOM_HTTP_ADDR=:8082"]);
    expect(all(runtime, "EXPOSE")).toEqual([String(VARIABLES.httpAddr.parse(":8082").port)]);
  });

  test("builds with the flags of npm run build", async () => {
    const script = ((await Bun.file(resolve(ROOT, "package.json")).json()) as { scripts: { build: string } }).scripts.build;
    const compile = all(build, "RUN").find((args) => args.includes("bun build")) ?? "";
    for (const flag of [
      "--compile",
      "--no-compile-autoload-dotenv",
      "--minify",
      "--sourcemap=none",
      "HOBOM_BUILD_VERSION",
      "HOBOM_BUILD_COMMIT",
      "src/main.ts",
    ]) {
      expect(script, flag).toContain(flag);
      expect(compile, flag).toContain(flag);
    }
  });
});

describe("the build step, run for each TARGETARCH", () => {
  let stubs: string;
  const recorded = () => join(stubs, "bun-args");

  beforeAll(() => {
    stubs = mkdtempSync(join(tmpdir(), "hobom-dockerfile-"));
    writeFileSync(join(stubs, "bun"), `#!/bin/sh\nprintf '%s\\n' "$@" > "${recorded()}"\n`);
    chmodSync(join(stubs, "bun"), 0o755);
  });

  afterAll(() => rmSync(stubs, { recursive: true, force: true }));

  /** The RUN that compiles, in /bin/sh with the stage's ARG defaults, `overrides` and the stand-in bun. */
  async function compileStep(overrides: Record<string, string>) {
    rmSync(recorded(), { force: true });
    const script = all(build, "RUN").find((args) => args.includes("bun build")) ?? "";
    const env = { ...Object.fromEntries(argsOf(build)), ...overrides, PATH: `${stubs}:/usr/bin:/bin` };
    const result = await run(["/bin/sh", "-c", script], { cwd: stubs, env });
    const args = existsSync(recorded()) ? (await Bun.file(recorded()).text()).trimEnd().split("\n") : undefined;
    return { ...result, args };
  }

  test("the build stage declares TARGETARCH, which BuildKit sets from --platform", () => {
    expect(argsOf(build).has("TARGETARCH")).toBe(true);
  });

  test.each([
    ["amd64", {}, "bun-linux-x64"],
    ["arm64", {}, "bun-linux-arm64"],
    ["amd64", { BUN_X64: "bun-linux-x64-baseline" }, "bun-linux-x64-baseline"],
  ])("TARGETARCH=%s %o compiles for --target=%s", async (arch, overrides, target) => {
    const result = await compileStep({ TARGETARCH: arch, VERSION: "1.2.3", COMMIT: "abc1234", ...overrides });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.args).toEqual([
      "build",
      "--compile",
      "--no-compile-autoload-dotenv",
      "--minify",
      "--sourcemap=none",
      `--target=${target}`,
      "--define",
      'HOBOM_BUILD_VERSION="1.2.3"',
      "--define",
      'HOBOM_BUILD_COMMIT="abc1234"',
      "src/main.ts",
      "--outfile",
      "/out/hobom-event-processor",
    ]);
  });

  test.each(["riscv64", "386", ""])("TARGETARCH=%p stops the build, naming the platforms it builds for", async (arch) => {
    const result = await compileStep({ TARGETARCH: arch });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("linux/amd64 and linux/arm64");
    expect(result.stderr).toContain(`TARGETARCH="${arch}"`);
    expect(result.args).toBeUndefined();
  });
});
