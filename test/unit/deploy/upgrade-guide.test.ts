/**
 * deploy/UPGRADE.md stays true of the code: every variable it names exists, every default it
 * states is the variable's default, the Redis keys it sizes are the key scheme's, and the files
 * and units it points at are shipped.
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { VARIABLE_LIST } from "../../../src/config/variables.ts";
import { keyScheme } from "../../../src/state/keys.ts";
import { ROOT } from "./deploy-files.ts";

const guide = await Bun.file(resolve(ROOT, "deploy/UPGRADE.md")).text();
const variables = new Map(VARIABLE_LIST.map((variable) => [variable.name, variable]));

describe("deploy/UPGRADE.md", () => {
  test("names only variables the relay reads", () => {
    const named = new Set([...guide.matchAll(/\bHOBOM_[A-Z0-9_]+\b/g)].map((match) => match[0]));
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((name) => !variables.has(name)).sort()).toEqual([]);
  });

  test("states each variable's default as the code has it", () => {
    const stated = [
      ...[...guide.matchAll(/`(HOBOM_[A-Z0-9_]+)` \(([^)`]+)\)/g)].map((match) => [match[1], match[2]]),
      ...[...guide.matchAll(/`(HOBOM_[A-Z0-9_]+)` \| default ([^\s,|]+)/g)].map((match) => [match[1], match[2]]),
    ] as [string, string][];
    expect(stated.length).toBeGreaterThan(5);
    for (const [name, value] of stated) expect(`${name}=${value}`).toBe(`${name}=${variables.get(name)?.fallback}`);
  });

  test("sizes the Redis keys the key scheme writes", () => {
    const keys = keyScheme("");
    const entry = keys.dlq("dlq:PREFIX:", "EVENTID");
    const written = [
      entry,
      keys.dlqMeta(entry),
      keys.sent("PIPELINE", "EVENTID"),
      keys.lease("PIPELINE"),
      keys.dlqLock(entry),
      keys.dlqIndex("dlq:PREFIX:"),
      keys.dlqExpiry("dlq:PREFIX:"),
      keys.audit,
      keys.job("ID"),
      keys.jobItems("ID"),
      keys.jobs,
    ];
    const rows = guide.split("\n").filter((line) => line.startsWith("| `"));
    for (const key of written) {
      const shown = key.replace("PREFIX:", "<prefix>").replace("EVENTID", "<eventId>").replace("PIPELINE", "<pipeline>").replace("ID", "<id>");
      expect(
        rows.some((row) => row.includes(`\`${shown}\``)),
        `no row of the Redis table sizes ${shown}`,
      ).toBe(true);
    }
  });

  test("points at files that are shipped", () => {
    for (const path of [
      "deploy/systemd/hobom-event-processor.service",
      "deploy/systemd/hobom-event-processor@.service",
      "deploy/prometheus/hobom-event-processor.rules.yml",
    ]) {
      expect(guide).toContain(path.replace("deploy/", ""));
      expect(existsSync(resolve(ROOT, path)), path).toBe(true);
    }
  });
});
