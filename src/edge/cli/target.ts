/**
 * Which instance a command talks to, and with which api key: `--url` or this host's
 * HOBOM_HTTP_ADDR; the key from `--api-key-file`, HOBOM_CLI_API_KEY or HOBOM_INTERNAL_API_KEY.
 * Never from an argument: arguments show in `ps` and in the shell's history.
 */
import { ValueProblem } from "../../config/parsers.ts";
import { VARIABLES } from "../../config/variables.ts";
import { UsageError } from "./args.ts";

/** Variables the command line reads and the service does not (the unknown-variable check knows them). */
export const CLI_VARIABLES = [
  {
    name: "HOBOM_CLI_API_KEY",
    doc: "the api key the dlq commands send; read before HOBOM_INTERNAL_API_KEY (the command line reads it, the service does not)",
  },
] as const;

export interface Target {
  /** `http://host:port` plus any path the instance is served under, without a trailing slash. */
  readonly baseUrl: string;
  readonly apiKey?: string;
  /** Where the key came from, to say so when it is refused. */
  readonly keySource: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The URL of this host's service from its listen address: a wildcard address is reached on loopback. */
export function localUrl(http: { readonly hostname: string; readonly port: number }): string {
  const host = http.hostname === "0.0.0.0" ? "127.0.0.1" : http.hostname === "::" ? "::1" : http.hostname;
  return `http://${host.includes(":") ? `[${host}]` : host}:${http.port}`;
}

/** HOBOM_HTTP_ADDR alone, parsed as the service parses it (default :8082). */
export function listenAddressOf(env: Env): { hostname: string; port: number } {
  const variable = VARIABLES.httpAddr;
  const raw = env[variable.name];
  try {
    return variable.parse(raw === undefined || raw.trim() === "" ? (variable.fallback as string) : raw);
  } catch (error) {
    if (!(error instanceof ValueProblem)) throw error;
    throw new UsageError(`${variable.name}: ${error.message} (e.g. ${variable.name}=${variable.example})`);
  }
}

export function resolveTarget(options: { url?: string; apiKeyFile?: string }, env: Env, readFile: (path: string) => string): Target {
  const baseUrl = options.url !== undefined ? parseUrl(options.url) : localUrl(listenAddressOf(env));
  if (options.apiKeyFile !== undefined)
    return { baseUrl, apiKey: keyFromFile(options.apiKeyFile, readFile), keySource: `--api-key-file ${options.apiKeyFile}` };
  for (const name of [CLI_VARIABLES[0].name, VARIABLES.internalApiKey.name]) {
    const value = env[name]?.trim();
    if (value) return { baseUrl, apiKey: value, keySource: name };
  }
  return { baseUrl, keySource: "no api key: give --api-key-file FILE or set HOBOM_CLI_API_KEY" };
}

function parseUrl(raw: string): string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(raw)} is not a URL; e.g. --url http://10.0.0.5:8082`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--url ${JSON.stringify(raw)}: only http:// and https:// are spoken`);
  if (url.search || url.hash) throw new UsageError(`--url ${JSON.stringify(raw)}: give the instance's address alone, without ? or #`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function keyFromFile(path: string, readFile: (path: string) => string): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new UsageError(`--api-key-file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length === 0) throw new UsageError(`--api-key-file ${path}: the file is empty; put the api key in it, alone`);
  if (lines.length > 1) throw new UsageError(`--api-key-file ${path}: the file has ${lines.length} lines; put the api key in it, alone on one line`);
  const key = (lines[0] as string).trim();
  // An env file's line is a natural thing to point at; sent as it is, it would only be refused.
  if (/^(export\s+)?HOBOM_[A-Z0-9_]*=/.test(key)) throw new UsageError(`--api-key-file ${path}: holds a variable assignment; put the api key in it, alone`);
  return key;
}
