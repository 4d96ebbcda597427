/**
 * deploy/systemd: the unit and the two-slot template start the relay after a configuration-only
 * check (a dependency outage never stops a start), give a stop more time than the relay's own
 * shutdown timeout, share one hardening, and score at most 3.0 in `systemd-analyze security`
 * (checked where systemd-analyze has --offline, systemd 250 and later).
 */
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { VARIABLES } from "../../../src/config/variables.ts";
import { ROOT, run } from "./deploy-files.ts";

const UNIT = resolve(ROOT, "deploy/systemd/hobom-event-processor.service");
const TEMPLATE = resolve(ROOT, "deploy/systemd/hobom-event-processor@.service");
const BINARY = "/opt/hobom/current/hobom-event-processor";
/** Settings a slot of the template has of its own; everything else of [Service] is the unit's. */
const SLOT_SETTINGS = new Set(["Environment", "EnvironmentFile"]);

type Unit = Map<string, Map<string, string[]>>;

/** A unit file as sections of settings, each setting with every value it was given, in order. */
async function readUnit(path: string): Promise<Unit> {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const line of (await Bun.file(path).text()).split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const header = /^\[(\w+)\]$/.exec(trimmed);
    if (header) {
      section = new Map();
      unit.set(header[1] as string, section);
      continue;
    }
    const setting = /^(\w+)=(.*)$/.exec(trimmed);
    if (!setting || !section) throw new Error(`${path}: not a setting: ${line}`);
    section.set(setting[1] as string, [...(section.get(setting[1] as string) ?? []), setting[2] as string]);
  }
  return unit;
}

const value = (unit: Unit, section: string, key: string) => unit.get(section)?.get(key);

/** systemd-analyze, when it can score a unit file that is not installed (--offline, systemd 250+). */
async function offlineAnalyzer(): Promise<string | undefined> {
  const analyzer = Bun.which("systemd-analyze");
  if (!analyzer) return undefined;
  const version = Number(/systemd (\d+)/.exec((await run([analyzer, "--version"])).stdout)?.[1] ?? 0);
  return version >= 250 ? analyzer : undefined;
}
const analyzer = await offlineAnalyzer();

describe.each([
  ["hobom-event-processor.service", UNIT],
  ["hobom-event-processor@.service", TEMPLATE],
])("deploy/systemd/%s", (_name, path) => {
  test("checks the configuration alone before the start, then runs the binary and restarts it", async () => {
    const unit = await readUnit(path);
    expect(value(unit, "Service", "ExecStartPre")).toEqual([`${BINARY} check-config --offline`]);
    expect(value(unit, "Service", "ExecStart")).toEqual([BINARY]);
    expect(value(unit, "Service", "Restart")).toEqual(["always"]);
    expect(value(unit, "Service", "User")).toEqual(["hobom"]);
    // Exit 2: a configuration the process refused, which a restart cannot fix.
    expect(value(unit, "Service", "RestartPreventExitStatus")).toEqual(["2"]);
    expect(value(unit, "Unit", "After")).toEqual(["network-online.target"]);
  });

  test("gives a stop more time than HOBOM_SHUTDOWN_TIMEOUT_MS, and says so", async () => {
    const unit = await readUnit(path);
    const stopSeconds = Number(value(unit, "Service", "TimeoutStopSec")?.[0]);
    expect(stopSeconds * 1000).toBeGreaterThan(Number(VARIABLES.shutdownTimeoutMs.fallback));
    expect(value(unit, "Service", "KillSignal")).toEqual(["SIGTERM"]);
    expect(await Bun.file(path).text()).toMatch(/TimeoutStopSec must stay above HOBOM_SHUTDOWN_TIMEOUT_MS/);
  });

  test("leaves writable executable memory allowed: Bun's JIT needs it", async () => {
    expect(value(await readUnit(path), "Service", "MemoryDenyWriteExecute")).toBeUndefined();
  });

  test.skipIf(!analyzer)("scores at most 3.0 in systemd-analyze security, with no setting it does not know", async () => {
    const result = await run([analyzer as string, "security", "--offline=yes", "--threshold=30", path]);
    // An unknown or malformed setting is reported on stderr and then ignored: the hardening would silently be less.
    expect(result.stderr).toBe("");
    const score = Number(/Overall exposure level for \S+: (\d+\.\d+)/.exec(result.stdout)?.[1]);
    console.log(`${_name}: systemd-analyze security exposure ${score}`);
    expect(score).toBeLessThanOrEqual(3.0);
    expect(result.code).toBe(0);
  });
});

if (!analyzer) {
  test.skip("systemd-analyze security --offline: not run, this machine has no systemd-analyze of systemd 250 or later", () => {});
}

describe("the template hobom-event-processor@.service", () => {
  test("reads the shared env file, then the slot's own, and names the instance after the slot", async () => {
    const template = await readUnit(TEMPLATE);
    expect(value(template, "Service", "EnvironmentFile")).toEqual(["/etc/hobom/event-processor.env", "/etc/hobom/event-processor-%i.env"]);
    expect(value(template, "Service", "Environment")).toEqual(["HOBOM_INSTANCE_ID=%H-%i"]);
    expect(value(await readUnit(UNIT), "Service", "EnvironmentFile")).toEqual(["/etc/hobom/event-processor.env"]);
  });

  test("has exactly the unit's other settings, its hardening included", async () => {
    const [unit, template] = await Promise.all([readUnit(UNIT), readUnit(TEMPLATE)]);
    const shared = (settings: Map<string, string[]> | undefined) => [...(settings ?? [])].filter(([key]) => !SLOT_SETTINGS.has(key)).sort();
    expect(shared(template.get("Service"))).toEqual(shared(unit.get("Service")));
    expect(shared(template.get("Install"))).toEqual(shared(unit.get("Install")));
    expect(value(template, "Unit", "StartLimitBurst")).toEqual(value(unit, "Unit", "StartLimitBurst"));
  });
});
