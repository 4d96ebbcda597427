import { describe, expect, test } from "bun:test";
import { parseDlqKey } from "../../../src/edge/http/dlq-key.ts";
import { PIPELINES } from "../../../src/hobom/pipelines.ts";
import { keyScheme, MAX_DLQ_KEY_LENGTH } from "../../../src/state/keys.ts";

describe("keyScheme.dlq", () => {
  test("keeps the Go processor's key for the eventIds it had: prefix and eventId as they are", () => {
    const keys = keyScheme("");
    expect(keys.dlq("dlq:menu:", "0b4f5c2e-1d3a-4b5c-8d9e-0f1a2b3c4d5e")).toBe("dlq:menu:0b4f5c2e-1d3a-4b5c-8d9e-0f1a2b3c4d5e");
    expect(keyScheme("staging:").dlq("dlq:log:", "evt_1.2@x")).toBe("staging:dlq:log:evt_1.2@x");
  });

  test("writes no key the HTTP API cannot address: odd and overlong eventIds become a digest", () => {
    const keys = keyScheme("ns:");
    for (const eventId of ["a*b", "line\nbreak", "with space", "../../etc", "x".repeat(10_000), "행사"]) {
      const key = keys.dlq("dlq:menu:", eventId);
      expect(key).toMatch(/^ns:dlq:menu:sha256-[0-9a-f]{64}$/);
      expect(key.length).toBeLessThanOrEqual(MAX_DLQ_KEY_LENGTH);
      expect(parseDlqKey(key, "ns:", PIPELINES).pipeline.name).toBe("message");
    }
  });

  test("gives distinct eventIds distinct digests, and one eventId always the same", () => {
    const keys = keyScheme("");
    expect(keys.dlq("dlq:menu:", "a*b")).toBe(keys.dlq("dlq:menu:", "a*b"));
    expect(keys.dlq("dlq:menu:", "a*b")).not.toBe(keys.dlq("dlq:menu:", "a*c"));
  });
});

describe("the keys the relay adds beside the DLQ", () => {
  test("never match the Go processor's dlq:* pattern, whatever the namespace", () => {
    for (const namespace of ["", "staging:"]) {
      const keys = keyScheme(namespace);
      const added = [
        keys.dlqMeta(`${namespace}dlq:menu:e1`),
        keys.dlqIndex("dlq:menu:"),
        keys.dlqExpiry("dlq:menu:"),
        keys.audit,
        keys.job("j-1"),
        keys.jobItems("j-1"),
        keys.jobs,
      ];
      for (const key of added) expect({ key, matches: key.startsWith(`${namespace}dlq:`) }).toEqual({ key, matches: false });
      expect(added.every((key) => key.startsWith(namespace))).toBe(true);
    }
  });

  test("dlqPrefixOf finds a key's DLQ prefix after the namespace, and nothing for another key", () => {
    const keys = keyScheme("ns:");
    expect(keys.dlqPrefixOf("ns:dlq:menu:e1")).toBe("dlq:menu:");
    expect(keys.dlqPrefixOf("ns:dlq:space-log:a:b")).toBe("dlq:space-log:");
    expect(keys.dlqPrefixOf("dlq:menu:e1")).toBeUndefined();
    expect(keys.dlqPrefixOf("ns:dlqmeta:dlq:menu:e1")).toBeUndefined();
  });
});
