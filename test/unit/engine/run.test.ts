import { describe, expect, test } from "bun:test";
import { withBreaker } from "../../../src/engine/breaker.ts";
import type { Pipeline } from "../../../src/engine/pipeline.ts";
import { type RunDependencies, runPipelines } from "../../../src/engine/run.ts";
import { createLogger } from "../../../src/observability/logger.ts";
import type { KafkaMessage } from "../../../src/sinks/kafka/message.ts";
import { createWorld, event, FakeLeases, flush, plainCodec } from "./fakes.ts";

/**
 * One pipeline run by runPipelines until its source is asked to be ready a second time: then the
 * stop signal fires, and the loop ends after that wait.
 */
function setup(options: { maxAttempts?: number; failureBackoffMs?: number[] } = {}) {
  const world = createWorld();
  const controller = new AbortController();
  const leases = new FakeLeases();
  const lines: { level: string; msg: string; pipeline?: string; [field: string]: unknown }[] = [];
  const handled: number[] = [];
  const fullBatches: number[] = [];
  const reports: string[] = [];
  const ownership: [string, boolean][] = [];
  let readies = 0;
  world.source.ready = async () => {
    if (++readies === 2) controller.abort();
  };
  const pipeline: Pipeline<KafkaMessage> = {
    name: "orders",
    dlqPrefix: "dlq:orders:",
    source: world.source,
    codec: plainCodec("orders.events"),
    sink: withBreaker(world.sink, { dependency: "kafka", backoffMs: [1_000] }),
    maxAttempts: options.maxAttempts,
    description: { kind: "test", eventTypes: ["TEST"] },
  };
  const deps: RunDependencies = {
    pipelines: [pipeline as Pipeline],
    ledger: world.ledger,
    dlq: world.dlq,
    leases,
    leaseTtlMs: 30_000,
    instanceId: "relay-1",
    failureBackoffMs: options.failureBackoffMs ?? [10_000],
    gc: { handled: (events) => void handled.push(events), fullBatch: () => void fullBatches.push(handled.length) },
    log: createLogger({ level: "info", write: (line) => void lines.push(JSON.parse(line)) }),
    metrics: world.metrics,
    reports: {
      cycles: {
        succeeded: (name) => void reports.push(`succeeded:${name}`),
        failed: (name, error) => void reports.push(`failed:${name}:${(error as Error).message}`),
      },
      leaseStore: { failed: () => void reports.push("lease store failed"), succeeded: () => {} },
    },
    onOwnership: (name, owned) => void ownership.push([name, owned]),
  };
  return { ...world, leases, lines, handled, fullBatches, reports, ownership, controller, run: () => runPipelines(deps, controller.signal) };
}

describe("runPipelines", () => {
  test("runs a pipeline's source, codec and sink under its lease, until stopped, and reports how it went", async () => {
    const { source, sink, leases, lines, handled, reports, ownership, metrics, run } = setup();
    source.add(event("o1"), event("o2"));
    await run();
    expect(sink.acked.map((message) => [message.topic, message.key])).toEqual([
      ["orders.events", "o1"],
      ["orders.events", "o2"],
    ]);
    expect([source.statusOf("o1"), source.statusOf("o2")]).toEqual(["SENT", "SENT"]);
    // The ownership is checked with the lease store before the delivery, and the lease given up at the stop.
    expect(leases.calls).toEqual(["acquire:orders", "holds:orders", "release:orders"]);
    expect(leases.held.size).toBe(0);
    expect(ownership).toEqual([
      ["orders", true],
      ["orders", false],
    ]);
    expect(reports).toEqual(["succeeded:orders"]);
    // Every settled event counts for the collections; each delivery is timed.
    expect(handled).toEqual([2]);
    expect(metrics.publishes).toBe(1);
    expect(metrics.cycles).toEqual([{ pipeline: "orders", outcome: "done" }]);
    const said = lines.map((line) => [line.msg, line.pipeline]);
    expect(said).toContainEqual(["pipeline started", "orders"]);
    expect(said).toContainEqual(["pipeline stopped", "orders"]);
    expect(lines.find((line) => line.msg === "pipeline started")).toMatchObject({ kind: "test", eventTypes: ["TEST"] });
  });

  test("runs a pipeline whose source is shared on every instance, without a lease, and says it owns it while it runs", async () => {
    const { source, sink, leases, ownership, reports, run } = setup();
    Object.assign(source, { sharing: "shared" });
    source.add(event("o1"));
    await run();
    expect(sink.acked.map((message) => message.key)).toEqual(["o1"]);
    expect(leases.calls).toEqual([]);
    expect(ownership).toEqual([
      ["orders", true],
      ["orders", false],
    ]);
    expect(reports).toEqual(["succeeded:orders"]);
  });

  test("collects after a full batch of a source of bounded batches, instead of by rows settled", async () => {
    const bounded = setup();
    Object.assign(bounded.source, { sharing: "shared", boundedBatches: true, more: true });
    bounded.source.add(event("o1"), event("o2"));
    await bounded.run();
    expect(bounded.handled).toEqual([]);
    expect(bounded.fullBatches).toEqual([0]);
    // A batch that did not come back full is a live stream's: no collection.
    const live = setup();
    Object.assign(live.source, { sharing: "shared", boundedBatches: true });
    live.source.add(event("o1"));
    await live.run();
    expect([live.handled, live.fullBatches]).toEqual([[], []]);
    // A source whose take returns every pending event is paced by rows, whatever it says of more.
    const unbounded = setup();
    Object.assign(unbounded.source, { more: true });
    unbounded.source.add(event("o1"));
    await unbounded.run();
    expect([unbounded.handled, unbounded.fullBatches]).toEqual([[1], []]);
  });

  test("gives up an event after the pipeline's maxAttempts", async () => {
    const { source, sink, dlq, reports, run } = setup({ maxAttempts: 1, failureBackoffMs: [0] });
    source.add(event("o1"));
    sink.behaviour = (messages) => messages.map(() => ({ ok: false, kind: "retry", error: new Error("not now") }));
    await run();
    expect(dlq.letters.map((letter) => [letter.pipeline, letter.prefix, letter.eventId, letter.attempts, letter.reason])).toEqual([
      ["orders", "dlq:orders:", "o1", 1, "gave up after 1 attempts: not now"],
    ]);
    expect(source.statusOf("o1")).toBe("FAILED");
    expect(reports).toEqual(["failed:orders:not now"]);
  });

  test("leaves a pipeline whose lease another instance holds on standby, and stops when told", async () => {
    const { source, sink, leases, ownership, controller, run } = setup();
    leases.held.set("orders", "relay-2");
    source.add(event("o1"));
    const running = run();
    await flush();
    controller.abort();
    await running;
    expect(sink.deliveries).toEqual([]);
    expect(ownership).toEqual([]);
    expect(leases.calls).toEqual(["acquire:orders"]);
    expect(leases.held.get("orders")).toBe("relay-2");
  });
});
