/** Dependency checks for /health: each probe really talks to its dependency, with a short timeout. */
import { describeError } from "../../engine/errors.ts";

/** Resolves when the dependency answered; rejects with why it did not. */
export type Probe = () => Promise<void>;

export interface ComponentHealth {
  readonly status: "healthy" | "unhealthy";
  readonly latencyMs: number;
  readonly error?: string;
}

export interface HealthReport {
  readonly status: "healthy" | "unhealthy";
  readonly components: Record<string, ComponentHealth>;
}

export function createHealthCheck(params: {
  probes: Record<string, Probe>;
  timeoutMs: number;
  /** Components known without probing (what the pipelines' cycles found), added to the probes'. */
  known?: () => Record<string, ComponentHealth>;
}): () => Promise<HealthReport> {
  return async () => {
    const probed = await Promise.all(Object.entries(params.probes).map(async ([name, probe]) => [name, await runProbe(probe, params.timeoutMs)] as const));
    const entries = [...probed, ...Object.entries(params.known?.() ?? {})];
    const components = Object.fromEntries(entries);
    const healthy = entries.every(([, component]) => component.status === "healthy");
    return { status: healthy ? "healthy" : "unhealthy", components };
  };
}

async function runProbe(probe: Probe, timeoutMs: number): Promise<ComponentHealth> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: "healthy", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: "unhealthy", latencyMs: Math.round(performance.now() - started), error: describeError(error) };
  } finally {
    clearTimeout(timer);
  }
}
