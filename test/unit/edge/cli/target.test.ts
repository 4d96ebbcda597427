import { describe, expect, test } from "bun:test";
import { UsageError } from "../../../../src/edge/cli/args.ts";
import { listenAddressOf, localUrl, resolveTarget } from "../../../../src/edge/cli/target.ts";

const noFile = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
};
const files = (contents: Record<string, string>) => (path: string) => {
  const text = contents[path];
  return text === undefined ? noFile(path) : text;
};

describe("where the command line finds the instance", () => {
  test("this host's listen address: a wildcard address is reached on loopback, IPv6 in brackets", () => {
    expect(localUrl({ hostname: "0.0.0.0", port: 8082 })).toBe("http://127.0.0.1:8082");
    expect(localUrl({ hostname: "::", port: 8082 })).toBe("http://[::1]:8082");
    expect(localUrl({ hostname: "10.0.0.5", port: 9000 })).toBe("http://10.0.0.5:9000");
    expect(localUrl({ hostname: "fd00::5", port: 9000 })).toBe("http://[fd00::5]:9000");
  });

  test("HOBOM_HTTP_ADDR alone, as the service reads it, with its default; a malformed one names the variable", () => {
    expect(listenAddressOf({})).toEqual({ hostname: "0.0.0.0", port: 8082 });
    expect(listenAddressOf({ HOBOM_HTTP_ADDR: "" })).toEqual({ hostname: "0.0.0.0", port: 8082 });
    expect(listenAddressOf({ HOBOM_HTTP_ADDR: "127.0.0.1:9100", HOBOM_KAFKA_ACKS: "garbage" })).toEqual({ hostname: "127.0.0.1", port: 9100 });
    expect(() => listenAddressOf({ HOBOM_HTTP_ADDR: "nope" })).toThrow(
      new UsageError('HOBOM_HTTP_ADDR: "nope" is not [host]:port (e.g. HOBOM_HTTP_ADDR=:8082)'),
    );
  });

  test("--url wins over HOBOM_HTTP_ADDR; without a scheme it is http; a path is kept, a trailing slash is not", () => {
    const env = { HOBOM_HTTP_ADDR: ":9100" };
    expect(resolveTarget({}, env, noFile).baseUrl).toBe("http://127.0.0.1:9100");
    expect(resolveTarget({ url: "http://10.0.0.5:8082" }, env, noFile).baseUrl).toBe("http://10.0.0.5:8082");
    expect(resolveTarget({ url: "10.0.0.5:8082" }, env, noFile).baseUrl).toBe("http://10.0.0.5:8082");
    expect(resolveTarget({ url: "https://ops.example.com/relay/" }, env, noFile).baseUrl).toBe("https://ops.example.com/relay");
  });

  test("a --url that is not an http(s) address alone is a usage error", () => {
    expect(() => resolveTarget({ url: "ftp://x" }, {}, noFile)).toThrow(/only http:\/\/ and https:\/\//);
    expect(() => resolveTarget({ url: "http://x:8082/?a=1" }, {}, noFile)).toThrow(/without \? or #/);
    expect(() => resolveTarget({ url: "http://" }, {}, noFile)).toThrow(/is not a URL/);
  });
});

describe("which api key is sent", () => {
  test("--api-key-file first, then HOBOM_CLI_API_KEY, then HOBOM_INTERNAL_API_KEY; none is no key", () => {
    const env = { HOBOM_CLI_API_KEY: "cli-key", HOBOM_INTERNAL_API_KEY: "service-key" };
    const read = files({ "/k": "file-key\n" });
    expect(resolveTarget({ apiKeyFile: "/k" }, env, read)).toMatchObject({ apiKey: "file-key", keySource: "--api-key-file /k" });
    expect(resolveTarget({}, env, read)).toMatchObject({ apiKey: "cli-key", keySource: "HOBOM_CLI_API_KEY" });
    expect(resolveTarget({}, { HOBOM_INTERNAL_API_KEY: "service-key" }, read)).toMatchObject({ apiKey: "service-key", keySource: "HOBOM_INTERNAL_API_KEY" });
    const none = resolveTarget({}, { HOBOM_CLI_API_KEY: "  " }, read);
    expect(none.apiKey).toBeUndefined();
    expect(none.keySource).toContain("--api-key-file");
  });

  test("a key file that cannot be read, is empty, has several lines or holds an assignment is a usage error", () => {
    const read = files({ "/empty": "\n\n", "/two": "a\nb\n", "/env": "HOBOM_INTERNAL_API_KEY=s3cret\n", "/crlf": "  key-1 \r\n" });
    expect(() => resolveTarget({ apiKeyFile: "/none" }, {}, read)).toThrow("--api-key-file /none: cannot be read (ENOENT)");
    expect(() => resolveTarget({ apiKeyFile: "/empty" }, {}, read)).toThrow("the file is empty");
    expect(() => resolveTarget({ apiKeyFile: "/two" }, {}, read)).toThrow("the file has 2 lines");
    expect(() => resolveTarget({ apiKeyFile: "/env" }, {}, read)).toThrow("holds a variable assignment");
    expect(resolveTarget({ apiKeyFile: "/crlf" }, {}, read).apiKey).toBe("key-1");
  });
});
