import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../../../src/config/load-config.ts";
import { namedApiKeys } from "../../../../src/edge/http/variables.ts";

describe("HOBOM_INTERNAL_API_KEYS", () => {
  test("reads name:key pairs; a key may hold colons; spaces around items are ignored", () => {
    expect(namedApiKeys("alice:k1, ci-bot:k:2 ,ops.team_1:k3")).toEqual([
      { name: "alice", key: "k1" },
      { name: "ci-bot", key: "k:2" },
      { name: "ops.team_1", key: "k3" },
    ]);
  });

  test("refuses a malformed list with a reason that never shows a key", () => {
    const cases: Record<string, string> = {
      "alice:k1,,bob:k2": "item 2 is empty",
      "nokeyname-secret": "item 1 has no name",
      "Alice:secret": "item 1: the name is not",
      "-x:secret": "item 1: the name is not",
      ":secret": "item 1: the name is not",
      "alice:": "item 1 (alice) has an empty key",
      "alice:secret,alice:secret2": "the name alice is given twice",
      "alice:secret,bob:secret": "item 2 (bob) has the same key",
      [`${"a".repeat(64)}:secret`]: "item 1: the name is not",
    };
    for (const [raw, problem] of Object.entries(cases)) {
      let message = "";
      try {
        namedApiKeys(raw);
      } catch (error) {
        message = (error as Error).message;
      }
      expect({ raw, message: message.slice(0, problem.length) }).toEqual({ raw, message: problem });
      expect(message).not.toContain("secret");
    }
  });

  test("is part of the configuration, empty when unset, and a bad value is a configuration problem naming the variable", () => {
    const base = { HOBOM_GRPC_ADDR: "localhost:50051", HOBOM_GRPC_API_KEY: "k" };
    const unset = loadConfig({ env: base });
    expect(unset.ok && unset.config.http.internalApiKeys).toEqual([]);
    const set = loadConfig({ env: { ...base, HOBOM_INTERNAL_API_KEYS: "alice:k1" } });
    expect(set.ok && set.config.http.internalApiKeys).toEqual([{ name: "alice", key: "k1" }]);
    const bad = loadConfig({ env: { ...base, HOBOM_INTERNAL_API_KEYS: "alice-topsecret" } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.problems.join("\n")).toContain("HOBOM_INTERNAL_API_KEYS: item 1 has no name");
    expect(!bad.ok && bad.problems.join("\n")).not.toContain("topsecret");
  });
});
