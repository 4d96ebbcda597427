/** The environment the relay is configured by: real variables win over a `.env` file in the working directory. */
import { existsSync, readFileSync } from "node:fs";
import { parseDotenv } from "./dotenv.ts";

/** The variables, and the problems of a `.env` file that has lines which are not `KEY=value`. */
export function readEnvironment(): { env: Record<string, string | undefined>; problems: string[] } {
  if (!existsSync(".env")) return { env: { ...process.env }, problems: [] };
  const { values, problems } = parseDotenv(readFileSync(".env", "utf8"));
  return { env: { ...values, ...process.env }, problems };
}
