/** The environment the relay is configured by: real variables win over a `.env` file in the working directory. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseDotenv } from "./dotenv.ts";

/** The `.env` file looked for, and what it gave: the start line and check-config report it. */
export interface DotenvReport {
  /** Absolute path of the `.env` looked for (in the working directory). */
  readonly path: string;
  readonly found: boolean;
  /** Every name the file sets, in file order. */
  readonly names: readonly string[];
  /** Names the file sets that the environment sets to another value: the environment's value is used. */
  readonly overridden: readonly string[];
}

export interface Environment {
  readonly env: Record<string, string | undefined>;
  /** Lines of the `.env` that are not `KEY=value`, or why it could not be read. */
  readonly problems: string[];
  readonly dotenv: DotenvReport;
}

/** The variables, from the process environment over `<cwd>/.env`; both injectable for tests. */
export function readEnvironment(options: { cwd?: string; processEnv?: Readonly<Record<string, string | undefined>> } = {}): Environment {
  const processEnv = options.processEnv ?? process.env;
  const path = resolve(options.cwd ?? process.cwd(), ".env");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const dotenv = { path, found: false, names: [], overridden: [] };
    // No .env is the normal case (systemd's EnvironmentFile, docker --env-file); one that exists but cannot be read is a mistake.
    if (code === "ENOENT") return { env: { ...processEnv }, problems: [], dotenv };
    return { env: { ...processEnv }, problems: [`${path}: cannot be read (${code ?? "unreadable"}); make it a file this user can read, or remove it`], dotenv };
  }
  const { values, problems } = parseDotenv(text, path);
  const names = Object.keys(values);
  // Bun's runtime may have put this file's values into the process environment itself before any
  // code ran (its .env autoloading): a value equal to the file's is the file's, not an override.
  const overridden = names.filter((name) => processEnv[name] !== undefined && processEnv[name] !== values[name]);
  return { env: { ...values, ...processEnv }, problems, dotenv: { path, found: true, names, overridden } };
}
