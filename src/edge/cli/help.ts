/** `--help`: usage and every environment variable, from the variable table. */
import { VARIABLE_LIST } from "../../config/variables.ts";

export function helpText(version: string): string {
  const lines = [
    `hobom-event-processor ${version}`,
    "",
    "Polls the HoBom backends' outboxes over gRPC, delivers every event to Kafka (law changes: LLM",
    "study material), keeps what could not be delivered in a Redis DLQ, and serves the DLQ API.",
    "",
    "Usage:",
    "  hobom-event-processor                run the service (configuration from the environment and ./.env)",
    "  hobom-event-processor check-config   validate the configuration and try every dependency; exit 0 or 1",
    "  hobom-event-processor migrate [--print]  create or upgrade the outbox tables HOBOM_PIPELINES_FILE declares (--print: show the SQL only)",
    "  hobom-event-processor healthcheck    ask the running service on HOBOM_HTTP_ADDR for /health/ready; exit 0 or 1",
    "  hobom-event-processor --version      print the version and commit",
    "  hobom-event-processor --help         print this text",
    "",
    "Environment:",
  ];
  for (const variable of VARIABLE_LIST) {
    const flags = [variable.required ? "required" : variable.fallback !== undefined ? `default ${JSON.stringify(variable.fallback)}` : "optional"];
    if (variable.secret) flags.push("secret");
    lines.push(`  ${variable.name} (${flags.join(", ")})`, `      ${variable.doc}`);
  }
  return `${lines.join("\n")}\n`;
}
