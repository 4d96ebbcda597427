/**
 * Steps the fault scenarios are written in: waiting for the stream to reach a point, for a relay's
 * log line, for the middle of a cycle. Every wait is on a real condition, with a timeout that names it.
 */
import type { LogLine, RelayProcess } from "../../support/relay-process.ts";
import type { ScenarioContext } from "./scenario.ts";

/**
 * Resolves with the first log line written after this call that matches: call it before the action
 * whose effect it waits for, await it after.
 */
export function nextLog(relay: RelayProcess, match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
  const earlier = new Set(relay.logs);
  const found = relay.waitForLog((line) => !earlier.has(line) && match(line), timeoutMs);
  // Awaited later; until then a rejection must not count as unhandled.
  found.catch(() => {});
  return found;
}

/** Every MarkSent call the three backends received so far. */
export function markSentCalls(context: ScenarioContext): number {
  const { hobom, space, angel } = context.backends;
  return [hobom, space, angel].reduce((sum, backend) => sum + backend.calls.count("PatchOutboxMarkAsSentUseCase"), 0);
}

/**
 * Resolves right after a backend received a MarkSent: the relay has just had a batch acknowledged,
 * recorded it, and is sending the next one. A kill now lands in the middle of a cycle.
 */
export async function midCycle(context: ScenarioContext, timeoutMs = 30_000): Promise<void> {
  const before = markSentCalls(context);
  const deadline = performance.now() + timeoutMs;
  while (markSentCalls(context) === before) {
    if (performance.now() > deadline) throw new Error(`no MarkSent within ${timeoutMs} ms: the relay is not delivering`);
    await Bun.sleep(1);
  }
}

/** The relay instance started under `name`. */
export function relay(context: ScenarioContext, name: string): RelayProcess {
  const found = context.relays.get(name);
  if (!found) throw new Error(`no relay named ${name}`);
  return found;
}

/** Resolves once the stream has created `share` of its rows. */
export const at = (context: ScenarioContext, share: number): Promise<void> => context.stream.created(Math.floor(context.total * share));

/** Polls `condition` every 50 ms; resolves true once it holds, false after `timeoutMs`. */
export async function within(timeoutMs: number, condition: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) return false;
    await Bun.sleep(50);
  }
  return true;
}
