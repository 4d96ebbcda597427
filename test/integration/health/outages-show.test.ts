/**
 * Outages show even where no pipeline calls the dependency: Redis unreachable from the start of a
 * relay (so no lease is ever taken and no pipeline runs) is logged once when it starts and once
 * when it ends, is 0 in hobom_dependency_up, names itself with its error in /health and
 * /health/ready, and every labelled series exists from the first scrape.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { freePorts } from "../../infra/processes.ts";
import { LocalRedisServer } from "../../infra/redis-server.ts";
import { type HoBomBackendDouble, startHoBomBackend } from "../../support/backends/index.ts";
import { http, parsePrometheus, sampleValue } from "../../support/http-client.ts";
import { eventually, relayTestSetup, TEST_API_KEY } from "../../support/relay-env.ts";
import { killAllRelays, startRelayProcess } from "../../support/relay-process.ts";

let hobom: HoBomBackendDouble;
beforeAll(async () => {
  hobom = await startHoBomBackend({ apiKey: TEST_API_KEY });
});
afterAll(async () => {
  await killAllRelays();
  hobom.stop();
});

const scrape = async (url: string) => parsePrometheus((await http(url, "GET", "/metrics")).text);

describe("Redis unreachable from the start", () => {
  test("is logged once, shows in /health, /health/ready and hobom_dependency_up, and its end is logged once", async () => {
    const [port] = freePorts(1) as [number];
    const setup = relayTestSetup({
      hobom,
      redisUrl: `redis://127.0.0.1:${port}`,
      overrides: { HOBOM_HEALTH_PROBE_INTERVAL_MS: "500", HOBOM_REDIS_TIMEOUT_MS: "500" },
    });
    const relay = await startRelayProcess(setup.env);
    const down = () => relay.logs.filter((line) => line.msg === "redis unreachable");
    const tail = () => JSON.stringify(relay.logs.slice(-5));
    await eventually(() => down().length > 0, 10_000, tail);
    expect(down()[0]?.error).toContain("ECONNREFUSED");

    const metrics = await scrape(relay.httpUrl);
    expect(sampleValue(metrics, "hobom_dependency_up", { dependency: "redis" })).toBe(0);
    expect(sampleValue(metrics, "hobom_dependency_up", { dependency: "kafka" })).toBe(1);
    expect(sampleValue(metrics, "hobom_dependency_up", { dependency: "for-hobom-backend" })).toBe(1);
    expect(sampleValue(metrics, "hobom_pipeline_owned", { pipeline: "message" })).toBe(0);
    expect(sampleValue(metrics, "hobom_rows_total", { pipeline: "message", event: "published" })).toBe(0);
    expect(metrics.some((sample) => sample.name === "hobom_build_info" && sample.value === 1 && sample.labels.version !== undefined)).toBe(true);

    const health = await http(relay.httpUrl, "GET", "/health");
    expect(health.status).toBe(503);
    expect(health.body.components.redis).toMatchObject({ status: "unhealthy", since: expect.any(String) });
    expect(health.body.components.redis.error).toContain("ECONNREFUSED");
    const ready = await http(relay.httpUrl, "GET", "/health/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe("not ready");
    expect(ready.body.missing).toEqual([{ name: "redis", error: expect.stringContaining("ECONNREFUSED") }]);

    // Several probe intervals and lease attempts later, still one line.
    await Bun.sleep(2_000);
    expect(down()).toHaveLength(1);

    const redis = new LocalRedisServer(port, "private", false, {});
    await redis.start();
    try {
      await eventually(() => relay.logs.some((line) => line.msg === "redis reachable again"), 10_000, tail);
      expect(relay.logs.filter((line) => line.msg === "redis reachable again")).toHaveLength(1);
      await eventually(async () => sampleValue(await scrape(relay.httpUrl), "hobom_dependency_up", { dependency: "redis" }) === 1, 5_000);
      let last = "";
      await eventually(
        async () => {
          const answer = await http(relay.httpUrl, "GET", "/health/ready");
          last = answer.text;
          return answer.status === 200;
        },
        10_000,
        () => last,
      );
      await eventually(async () => sampleValue(await scrape(relay.httpUrl), "hobom_pipeline_owned", { pipeline: "message" }) === 1, 10_000, tail);
    } finally {
      await redis.kill();
    }
  }, 40_000);
});
