/**
 * Every dependency probed on a timer, whatever the pipelines are doing: an outage of a backend no
 * pipeline happens to call right now (a standby instance, a quiet outbox, Redis down from the
 * start) is still logged when it starts and when it ends, and shows in the up gauge and /health.
 */
import { sleep } from "../engine/sleep.ts";
import type { Outages } from "./outages.ts";
import { type Probe, runProbe } from "./probe.ts";

export async function watchDependencies(params: {
  probes: Readonly<Record<string, Probe>>;
  outages: Outages;
  everyMs: number;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<void> {
  const { probes, outages, signal } = params;
  while (!signal.aborted) {
    await Promise.all(
      Object.entries(probes).map(async ([name, probe]) => {
        const result = await runProbe(probe, params.timeoutMs);
        if (signal.aborted) return;
        if (result.status === "healthy") outages.succeeded(name);
        else outages.failed(name, new Error(result.error), { counted: false });
      }),
    );
    await sleep(params.everyMs, signal);
  }
}
