import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { apiKeyCheck, fingerprint } from "../../../../src/edge/http/api-key.ts";

const sha12 = (key: string) => createHash("sha256").update(key).digest("hex").slice(0, 12);

describe("apiKeyCheck", () => {
  test("accepts only the configured key, and names its holder by the key's fingerprint", () => {
    const check = apiKeyCheck({ single: "s3cret", named: [], enabled: true });
    expect(check("s3cret")).toEqual({ ok: true, actor: `key:${sha12("s3cret")}` });
    for (const wrong of ["s3cre", "s3cret ", "S3CRET", ""]) expect(check(wrong)).toMatchObject({ ok: false, actor: `key:${sha12(wrong)}` });
    expect(check(undefined)).toEqual({ ok: false, actor: "anonymous", detail: "missing or wrong x-api-key" });
  });

  test("accepts each named key as its name, beside the single key", () => {
    const check = apiKeyCheck({
      single: "shared",
      named: [
        { name: "alice", key: "k-alice" },
        { name: "ci-bot", key: "k:with:colons" },
      ],
      enabled: true,
    });
    expect(check("k-alice")).toEqual({ ok: true, actor: "alice" });
    expect(check("k:with:colons")).toEqual({ ok: true, actor: "ci-bot" });
    expect(check("shared")).toEqual({ ok: true, actor: fingerprint("shared") });
    expect(check("alice")).toMatchObject({ ok: false });
  });

  test("gives a named key its name even when it is also the single key", () => {
    expect(apiKeyCheck({ single: "same", named: [{ name: "alice", key: "same" }], enabled: true })("same")).toEqual({ ok: true, actor: "alice" });
  });

  test("refuses everything and names both variables when no key is configured", () => {
    const verdict = apiKeyCheck({ named: [], enabled: true })("anything");
    expect(verdict).toMatchObject({ ok: false, actor: fingerprint("anything") });
    expect(verdict.ok === false && verdict.detail).toContain("HOBOM_INTERNAL_API_KEY");
    expect(verdict.ok === false && verdict.detail).toContain("HOBOM_INTERNAL_API_KEYS");
  });

  test("lets everything through only when auth was turned off on purpose, still naming a known key's holder", () => {
    const check = apiKeyCheck({ named: [{ name: "alice", key: "k-alice" }], enabled: false });
    expect(check(undefined)).toEqual({ ok: true, actor: "anonymous" });
    expect(check("k-alice")).toEqual({ ok: true, actor: "alice" });
    expect(check("other")).toEqual({ ok: true, actor: fingerprint("other") });
  });

  test("never puts the key itself in a verdict", () => {
    const key = "super-secret-key-value";
    const check = apiKeyCheck({ single: key, named: [], enabled: true });
    expect(JSON.stringify([check(key), check(`${key}x`), fingerprint(key)])).not.toContain(key);
  });
});
