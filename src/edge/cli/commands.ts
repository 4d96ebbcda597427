/** The commands beside the service: `check-config` and `healthcheck`. */
import type { Config } from "../../config/config.ts";
import { describeError } from "../../engine/errors.ts";
import { createHealthCheck, type Probe } from "../http/health.ts";

/** `check-config` (after the configuration was validated): every dependency answers; exit 0 or 1. */
export async function checkConfig(probes: Record<string, Probe>, close: () => Promise<unknown>): Promise<number> {
  const report = await createHealthCheck({ probes, timeoutMs: 5000 })();
  for (const [name, component] of Object.entries(report.components)) {
    process.stdout.write(
      `${component.status === "healthy" ? "ok  " : "FAIL"} ${name} (${component.latencyMs} ms)${component.error ? `: ${component.error}` : ""}\n`,
    );
  }
  await close();
  return report.status === "healthy" ? 0 : 1;
}

/**
 * `healthcheck`: asks this host's running service for /health/ready; for container health checks
 * in images that have no shell or curl.
 */
export async function healthcheck(http: Config["http"], timeoutMs: number): Promise<number> {
  const host = http.hostname === "0.0.0.0" || http.hostname === "::" ? "127.0.0.1" : http.hostname;
  try {
    const response = await fetch(`http://${host}:${http.port}/health/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    process.stdout.write(`${response.status} ${await response.text()}\n`);
    return response.status === 200 ? 0 : 1;
  } catch (error) {
    process.stdout.write(`no answer from ${host}:${http.port}: ${describeError(error)}\n`);
    return 1;
  }
}
