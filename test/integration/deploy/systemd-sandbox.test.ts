/**
 * The hardening of deploy/systemd does not break the relay. No systemd runs the unit here, so
 * the compiled binary runs under strace while it delivers events, dead-letters one, answers
 * /health, /metrics and the DLQ API and stops on SIGTERM; then everything it asked of the kernel
 * must be what the unit allows: every system call in its SystemCallFilter, every socket in
 * RestrictAddressFamilies, no file written (ProtectSystem=strict, ProtectKernelTunables), no other
 * process's /proc entry (ProtectProc=invisible), nothing under the home directories (ProtectHome).
 * Skipped, with the reason, where strace cannot trace or systemd-analyze is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { dlqClient, http } from "../../support/http-client.ts";
import { createTopics } from "../../support/kafka-topics.ts";
import { eventually, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";
import { ROOT, run } from "../../unit/deploy/deploy-files.ts";

const UNIT = resolve(ROOT, "deploy/systemd/hobom-event-processor.service");

async function whyNot(): Promise<string | undefined> {
  const strace = Bun.which("strace");
  if (!strace) return "strace is not installed";
  if (!Bun.which("systemd-analyze")) return "systemd-analyze is not installed (it names the system calls of each filter group)";
  const probe = await run([strace, "-f", "-qq", "-o", "/dev/null", "true"]);
  return probe.code === 0 ? undefined : `strace cannot trace here (ptrace refused): ${probe.stderr.trim()}`;
}
const skipped = await whyNot();
if (skipped) test.skip(`the relay under the unit's sandbox rules: ${skipped}`, () => {});

/** The values of one setting of the unit's [Service], in order. */
async function unitSetting(key: string): Promise<string[]> {
  const text = await Bun.file(UNIT).text();
  return [...text.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map((match) => match[1] as string);
}

/** The system calls of a filter group (`@system-service`), nested groups expanded, as systemd-analyze lists them. */
async function syscallsOf(group: string): Promise<Set<string>> {
  const listed = (await run(["systemd-analyze", "syscall-filter", group])).stdout
    .split("\n")
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const calls = new Set<string>();
  for (const entry of listed) for (const call of entry.startsWith("@") ? await syscallsOf(entry) : [entry]) calls.add(call);
  return calls;
}

/** What SystemCallFilter= allows: the allow list, minus every later `~` deny list. */
async function allowedSyscalls(): Promise<Set<string>> {
  const allowed = new Set<string>();
  for (const filter of await unitSetting("SystemCallFilter")) {
    const deny = filter.startsWith("~");
    for (const entry of filter.replace(/^~/, "").split(/\s+/)) {
      for (const call of entry.startsWith("@") ? await syscallsOf(entry) : [entry]) {
        if (deny) allowed.delete(call);
        else allowed.add(call);
      }
    }
  }
  return allowed;
}

describe.skipIf(skipped !== undefined)("the compiled relay under strace, against deploy/systemd/hobom-event-processor.service", () => {
  let dir: string;
  let hobom: HoBomBackendDouble;
  let trace: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "hobom-sandbox-"));
    const binary = join(dir, "hobom-event-processor");
    const build = await run([process.execPath, "build", "--compile", "--minify", "--sourcemap=none", resolve(ROOT, "src/main.ts"), "--outfile", binary]);
    if (build.code !== 0) throw new Error(`bun build --compile failed (exit ${build.code}):\n${build.stderr}`);
    hobom = await startHoBomBackend({ apiKey: TEST_API_KEY });
    const setup = relayTestSetup({ hobom });
    await createTopics(testbedEnv().kafkaBrokers, [setup.topics.messages]);
    const traceFile = join(dir, "trace");
    const relay = await startRelayProcess(setup.env, { command: ["strace", "-f", "-qq", "-o", traceFile, binary] });

    const delivered = [1, 2, 3].map(() => hobom.messages.add({ payload: messagePayload() }));
    const empty = hobom.messages.add({ payload: null });
    await eventually(() => delivered.every((row) => row.status === "SENT") && empty.status === "FAILED", 30_000);
    for (const path of ["/health", "/health/ready", "/metrics"]) await http(relay.httpUrl, "GET", path);
    expect((await dlqClient(relay).list()).status).toBe(200);

    // SIGTERM to the relay itself (the traced process: the first pid of the trace), as systemd sends it.
    const pid = Number(/^(\d+) /.exec(await Bun.file(traceFile).text())?.[1]);
    process.kill(pid, "SIGTERM");
    expect(await relay.exited).toBe(0);
    trace = (await Bun.file(traceFile).text()).split("\n");
  }, 120_000);

  afterAll(async () => {
    await killAllRelays();
    hobom?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("makes only system calls SystemCallFilter allows", async () => {
    const allowed = await allowedSyscalls();
    const made = new Set(trace.map((line) => /^\d+\s+([a-z_0-9]+)\(/.exec(line)?.[1]).filter((call): call is string => call !== undefined));
    expect(made.size).toBeGreaterThan(20);
    expect([...made].filter((call) => !allowed.has(call)).sort()).toEqual([]);
  });

  test("opens only the socket families RestrictAddressFamilies allows", async () => {
    const allowed = new Set((await unitSetting("RestrictAddressFamilies")).flatMap((value) => value.split(/\s+/)));
    const families = new Set(trace.map((line) => /\bsocket\((AF_\w+)/.exec(line)?.[1]).filter((family): family is string => family !== undefined));
    expect(families.has("AF_INET")).toBe(true);
    expect([...families].filter((family) => !allowed.has(family)).sort()).toEqual([]);
  });

  test("writes no file and reads no other process's /proc entry and nothing under the home directories", () => {
    const opened = trace
      .map((line) => /\bopenat\([^,]+, "([^"]+)", ([A-Z_|]+)[^)]*\) = (-?\d+)/.exec(line))
      .filter((match) => match !== null)
      .map((match) => ({ path: match[1] as string, flags: match[2] as string, ok: Number(match[3]) >= 0 }));
    expect(opened.length).toBeGreaterThan(0);
    const written = opened.filter((open) => /O_WRONLY|O_RDWR|O_CREAT/.test(open.flags) && !/^\/dev\/(null|urandom|tty)$/.test(open.path));
    expect(written).toEqual([]);
    const ownPids = new Set(trace.map((line) => /^(\d+) /.exec(line)?.[1]));
    const otherProcesses = opened.filter((open) => {
      const pid = /^\/proc\/(\d+)\//.exec(open.path)?.[1];
      return pid !== undefined && !ownPids.has(pid);
    });
    expect(otherProcesses).toEqual([]);
    const home = opened.filter((open) => open.ok && /^\/(home|root|run\/user)\//.test(open.path));
    expect(home).toEqual([]);
  });
});
