/**
 * Parsers for environment values. Each returns the parsed value or throws a `ValueProblem` whose
 * message says what was wrong; the loader adds the variable's name and an example.
 */

/** A value that does not fit its variable's rule. */
export class ValueProblem extends Error {}

export type Parser<T> = (raw: string) => T;

/** A whole number within bounds. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  return (raw) => {
    if (!/^-?\d+$/.test(raw)) throw new ValueProblem(`"${raw}" is not a whole number`);
    const value = Number(raw);
    if (value < min || value > max) throw new ValueProblem(`${value} is outside ${min}..${max}`);
    return value;
  };
}

/** A comma-separated list of whole numbers, e.g. backoff waits. */
export function integerList(min: number, max: number): Parser<number[]> {
  const one = integer(min, max);
  return (raw) => {
    const parts = raw.split(",").map((part) => part.trim());
    if (parts.some((part) => part === "")) throw new ValueProblem(`"${raw}" has an empty item`);
    return parts.map(one);
  };
}

/** One of a fixed set of words. */
export function oneOf<const T extends string>(...choices: T[]): Parser<T> {
  return (raw) => {
    const value = raw.trim().toLowerCase();
    if (!(choices as string[]).includes(value)) {
      throw new ValueProblem(`"${raw}" is not one of ${choices.join(", ")}`);
    }
    return value as T;
  };
}

/** Any non-empty text. */
export const text: Parser<string> = (raw) => {
  if (raw.trim() === "") throw new ValueProblem("it is empty");
  return raw;
};

/** Text that may legitimately be empty, such as a key prefix. */
export const optionalText: Parser<string> = (raw) => raw;

/** `host:port` for a gRPC target, e.g. `localhost:50051` or `dns:///svc:443`. */
export const grpcAddress: Parser<string> = (raw) => {
  const value = raw.trim();
  if (!/^(?:[a-z]+:\/{0,3})?[^\s/]+:\d{1,5}$/i.test(value)) {
    throw new ValueProblem(`"${raw}" is not host:port`);
  }
  if (portOf(value) > 65535) throw new ValueProblem(`"${raw}" has a port above 65535`);
  return value;
};

function portOf(hostPort: string): number {
  return Number(hostPort.slice(hostPort.lastIndexOf(":") + 1));
}

/** A comma-separated list of Kafka brokers, each `host:port`. */
export const brokerList: Parser<string[]> = (raw) => {
  const brokers = raw
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (brokers.length === 0) throw new ValueProblem("no broker given");
  for (const broker of brokers) {
    if (!/^[^\s:/]+:\d{1,5}$/.test(broker)) throw new ValueProblem(`"${broker}" is not host:port`);
    if (portOf(broker) > 65535) throw new ValueProblem(`"${broker}" has a port above 65535`);
  }
  return brokers;
};

/** The HTTP listen address: `:8082`, `0.0.0.0:8082` or `127.0.0.1:8082`. */
export const listenAddress: Parser<{ hostname: string; port: number }> = (raw) => {
  const match = /^(.*):(\d{1,5})$/.exec(raw.trim());
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port > 65535) throw new ValueProblem(`"${raw}" is not [host]:port`);
  const host = match[1] ?? "";
  return { hostname: host === "" ? "0.0.0.0" : host.replace(/^\[(.*)\]$/, "$1"), port };
};

/** A Redis address: `host:port`, or a `redis://` / `rediss://` URL. */
export const redisAddress: Parser<string> = (raw) => {
  const value = raw.trim();
  if (/^rediss?:\/\//.test(value)) {
    try {
      new URL(value);
      return value;
    } catch {
      throw new ValueProblem(`"${raw}" is not a valid redis:// URL`);
    }
  }
  if (!/^[^\s:/]+:\d{1,5}$/.test(value)) throw new ValueProblem(`"${raw}" is not host:port or redis://...`);
  if (portOf(value) > 65535) throw new ValueProblem(`"${raw}" has a port above 65535`);
  return `redis://${value}`;
};
