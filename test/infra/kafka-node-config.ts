/**
 * What a Kafka node's directory holds before its first start: server.properties, a log4j2
 * configuration that logs to the console (the node's log file), and the cluster id to format with.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes server.properties (in the given order) and a console log4j2 configuration into dir,
 * and creates dir/data, the place log.dirs should point to.
 */
export function writeNodeConfig(dir: string, properties: Readonly<Record<string, string>>): void {
  mkdirSync(join(dir, "data"), { recursive: true });
  const lines = Object.entries(properties).map(([key, value]) => `${key}=${value}`);
  writeFileSync(join(dir, "server.properties"), `${lines.join("\n")}\n`);
  writeFileSync(
    join(dir, "log4j2.properties"),
    [
      "status = warn",
      "appender.out.type = Console",
      "appender.out.name = out",
      "appender.out.layout.type = PatternLayout",
      "appender.out.layout.pattern = [%d] %p %m (%c)%n",
      "rootLogger.level = info",
      "rootLogger.appenderRef.out.ref = out",
      "",
    ].join("\n"),
  );
}

/** A new cluster id: 16 random bytes as unpadded URL-safe base64 (22 chars), not starting with "-". */
export function newClusterId(): string {
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
