/**
 * Steady stream: message rows created at a fixed rate for a fixed time while the relay polls at
 * its interval. For every row, from its creation (the bench adds it to the double):
 *   - to its Kafka CreateTime: when the relay called send (a lower bound of the acknowledgement);
 *   - to its receipt by a consumer in the bench process (an upper bound of the acknowledgement:
 *     the broker serves a record to consumers once it is acknowledged with acks=all);
 *   - to its MarkSent reaching the double (the end of the trip).
 * The period between the relay's Finds (poll interval + cycle time) is reported too: it is what
 * bounds the latency. When the relay cannot keep up with the rate, the wait for the last rows is
 * cut off after a drain limit: rows not delivered by then count as infinitely late, and the rate
 * the relay sustained (rows SENT per second while rows were being created) says how far off it is.
 */
import { wallClockMs } from "../clock.ts";
import { startBenchBackends } from "../doubles.ts";
import { startReceiver } from "../kafka-reading.ts";
import { startWindow, type WindowResult } from "../measure-window.ts";
import { DEFAULT_POLL_INTERVAL_MS, startBenchRelay } from "../relay-runner.ts";
import { addRow } from "../rows.ts";
import { latencySummary } from "../stats.ts";
import type { BenchTestbed } from "../testbed.ts";
import { waitFor } from "../wait.ts";

export interface SteadyResult extends WindowResult {
  readonly rate: number;
  readonly achievedRate: number;
  readonly rows: number;
  readonly createToSendP50: number;
  readonly createToSendP99: number;
  readonly createToReceiveP50: number;
  readonly createToReceiveP99: number;
  readonly createToReceiveMax: number;
  readonly createToSentP50: number;
  readonly createToSentP99: number;
  readonly createToSentMax: number;
  /** Mean and longest time between two consecutive message Finds, ms. */
  readonly findPeriodMean: number;
  readonly findPeriodMax: number;
  /** Records received more than once (duplicates in Kafka). */
  readonly duplicates: number;
  /** Rows SENT per second from the start of the stream to the last mark (≈ rate when it keeps up). */
  readonly sentPerSecond: number;
  /** Rows not SENT when the bench stopped waiting (0 when the relay kept up). */
  readonly notSent: number;
}

/** Rows are added every TICK_MS, as many as the rate says should exist by then. */
const TICK_MS = 5;
/** How long to wait for the last rows after the stream ends: three Find periods at least. */
const drainLimitMs = (pollIntervalMs: number) => Math.max(20_000, 3 * pollIntervalMs);
/** No mark for this long after the stream ended: the relay is stuck, stop waiting. */
const stallLimitMs = (pollIntervalMs: number) => 2 * pollIntervalMs + 2000;

export async function steadyStream(testbed: BenchTestbed, options: { rate: number; seconds: number; pollIntervalMs?: number }): Promise<SteadyResult> {
  const backends = await startBenchBackends();
  const findTimes: number[] = [];
  // The call log grows by one entry per mark: keep only the Find times, every second.
  const drainCallLog = () => {
    for (const call of backends.hobom.calls.calls()) {
      if (call.path.startsWith("/outbox.message.FindHoBomMessageOutboxController/")) findTimes.push(call.receivedAt.getTime());
    }
    backends.clearCallLogs();
  };
  try {
    const store = backends.hobom.messages;
    const run = await startBenchRelay(testbed, backends, { pollIntervalMs: options.pollIntervalMs });
    const receiver = await startReceiver(testbed.kafkaBrokers, run.setup.topics.messages);
    try {
      const created = new Map<string, number>();
      const window = startWindow(run.pid);
      const startedAt = wallClockMs();
      const endAt = startedAt + options.seconds * 1000;
      let lastDrain = startedAt;
      for (let now = startedAt; now < endAt; now = wallClockMs()) {
        const due = Math.floor(((now - startedAt) / 1000) * options.rate);
        while (created.size < due) {
          const at = wallClockMs();
          created.set(addRow(backends, "message", new Date(at)), at);
        }
        if (now - lastDrain > 1000) {
          drainCallLog();
          lastDrain = now;
        }
        await Bun.sleep(TICK_MS);
      }
      const generatedSeconds = (wallClockMs() - startedAt) / 1000;
      const rows = created.size;
      // Wait for the last rows; give up early when nothing was marked for a while (overload, or a
      // Find the relay can no longer receive).
      let progressAt = wallClockMs();
      let lastSent = store.sentCount;
      await waitFor(
        () => {
          if (store.sentCount !== lastSent) [lastSent, progressAt] = [store.sentCount, wallClockMs()];
          const stalled = wallClockMs() - progressAt > stallLimitMs(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
          return stalled || (store.sentCount >= rows && receiver.receivedAtMs.size >= rows);
        },
        drainLimitMs(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
        () => "",
        20,
      ).catch(() => undefined);
      const measured = window.stop();
      drainCallLog();

      const toSend: number[] = [];
      const toReceive: number[] = [];
      const toSent: number[] = [];
      let lastSentAt = startedAt;
      const never = Number.POSITIVE_INFINITY;
      for (const [eventId, at] of created) {
        toSend.push((receiver.createTimeMs.get(eventId) ?? never) - at);
        toReceive.push((receiver.receivedAtMs.get(eventId) ?? never) - at);
        const sentAt = store.sentAtMs.get(eventId);
        toSent.push((sentAt ?? never) - at);
        if (sentAt !== undefined && sentAt > lastSentAt) lastSentAt = sentAt;
      }
      const send = latencySummary(toSend);
      const receive = latencySummary(toReceive);
      const sent = latencySummary(toSent);
      // Gaps between consecutive Finds, counted for the Finds made while rows were being created.
      const finds = findTimes.sort((a, b) => a - b);
      const periods: number[] = [];
      for (let index = 1; index < finds.length; index++) {
        if ((finds[index] as number) >= startedAt) periods.push((finds[index] as number) - (finds[index - 1] as number));
      }
      return {
        ...measured,
        rate: options.rate,
        achievedRate: rows / generatedSeconds,
        rows,
        createToSendP50: send.p50,
        createToSendP99: send.p99,
        createToReceiveP50: receive.p50,
        createToReceiveP99: receive.p99,
        createToReceiveMax: receive.max,
        createToSentP50: sent.p50,
        createToSentP99: sent.p99,
        createToSentMax: sent.max,
        findPeriodMean: periods.length ? periods.reduce((a, b) => a + b, 0) / periods.length : Number.NaN,
        findPeriodMax: periods.length ? Math.max(...periods) : Number.NaN,
        duplicates: receiver.records() - receiver.receivedAtMs.size,
        sentPerSecond: store.sentCount / ((lastSentAt - startedAt) / 1000),
        notSent: rows - store.sentCount,
        warnings: run.warnings(),
      };
    } finally {
      await receiver.stop();
      await run.finish();
    }
  } finally {
    backends.stop();
  }
}
