/** The commands beside the service: `check-config` and `healthcheck`. */
import { describeError } from "../../engine/errors.ts";
import { createHealthCheck, type Probe } from "../http/health.ts";
import { UsageError } from "./args.ts";
import { PROGRAM } from "./command-spec.ts";
import { EXIT_CHECK_FAILED } from "./exit-codes.ts";
import { listenAddressOf, localUrl } from "./target.ts";

/** `check-config` (after the configuration was validated): every dependency answers; exit 0 or 1. */
export async function checkConfig(probes: Record<string, Probe>, close: () => Promise<unknown>): Promise<number> {
  const report = await createHealthCheck({ probes, timeoutMs: 5000 })();
  for (const [name, component] of Object.entries(report.components)) {
    process.stdout.write(
      `${component.status === "healthy" ? "ok  " : "FAIL"} ${name} (${component.latencyMs} ms)${component.error ? `: ${component.error}` : ""}\n`,
    );
  }
  await close();
  return report.status === "healthy" ? 0 : EXIT_CHECK_FAILED;
}

/**
 * `healthcheck`: asks this host's running service for /health/ready; for container health checks
 * in images that have no shell or curl. It needs HOBOM_HTTP_ADDR alone: a health check must not
 * fail because some other variable is malformed (the service would not be running then anyway).
 */
export async function healthcheck(env: Readonly<Record<string, string | undefined>>, timeoutMs: number): Promise<number> {
  let url: string;
  try {
    url = localUrl(listenAddressOf(env));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${PROGRAM} healthcheck: ${error.message}\n`);
    // Docker reserves exit code 2 of a HEALTHCHECK; 1 is "unhealthy".
    return EXIT_CHECK_FAILED;
  }
  try {
    const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    process.stdout.write(`${response.status} ${await response.text()}\n`);
    return response.status === 200 ? 0 : EXIT_CHECK_FAILED;
  } catch (error) {
    process.stdout.write(`no answer from ${url}: ${describeError(error)}\n`);
    return EXIT_CHECK_FAILED;
  }
}
