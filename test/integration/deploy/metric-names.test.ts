/**
 * The shipped alert rules and Grafana dashboard read only series the relay really serves: every
 * metric name in their PromQL (read from the files, so a new panel or alert is checked too) is in
 * the /metrics of the relay process started as operators run it, `up` aside (Prometheus writes
 * that one itself). And process_start_time_seconds holds still between scrapes, which the restart
 * alert depends on (it counts its changes).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type HoBomBackendDouble, messagePayload, startHoBomBackend } from "../../support/backends/index.ts";
import { http, parsePrometheus, sampleValue } from "../../support/http-client.ts";
import { createTopics } from "../../support/kafka-topics.ts";
import { eventually, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, type RelayProcess, startRelayProcess } from "../../support/relay-process.ts";
import { testbedEnv } from "../../support/testbed-env.ts";
import { metricNamesUsed, PROMETHEUS_SERIES, servedNames } from "../../unit/deploy/deploy-files.ts";

let hobom: HoBomBackendDouble;
let relay: RelayProcess;

beforeAll(async () => {
  hobom = await startHoBomBackend({ apiKey: TEST_API_KEY });
  const setup = relayTestSetup({ hobom });
  await createTopics(testbedEnv().kafkaBrokers, [setup.topics.messages]);
  relay = await startRelayProcess(setup.env);
  // One delivered event, so that the histograms have samples as well as their declarations.
  const row = hobom.messages.add({ payload: messagePayload() });
  await eventually(() => row.status === "SENT");
});

afterAll(async () => {
  await killAllRelays();
  hobom?.stop();
});

async function scrape(): Promise<string> {
  const answer = await http(relay.httpUrl, "GET", "/metrics");
  expect(answer.status).toBe(200);
  return answer.text;
}

describe("deploy/: the rules and the dashboard against a running relay's /metrics", () => {
  test("every metric name the alert rules and the dashboard read is served", async () => {
    const served = servedNames(await scrape());
    const used = await metricNamesUsed();
    // A reader that found nothing would pass trivially.
    expect(used.size).toBeGreaterThan(15);
    const missing = [...used]
      .filter(([name]) => !PROMETHEUS_SERIES.has(name) && !served.has(name))
      .map(([name, where]) => `${name} (read by ${[...new Set(where)].join("; ")})`);
    expect(missing).toEqual([]);
  });

  test("process_start_time_seconds is the same in every scrape", async () => {
    const first = sampleValue(parsePrometheus(await scrape()), "process_start_time_seconds");
    expect(first).toBeGreaterThan(1_600_000_000);
    await Bun.sleep(1100);
    expect(sampleValue(parsePrometheus(await scrape()), "process_start_time_seconds")).toBe(first as number);
  });
});
