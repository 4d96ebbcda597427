/**
 * The engine's fakes (test/unit/engine/fakes.ts) pass the same contracts as the adapters: the unit
 * tests that drive the engine with them prove something about the real sources and sinks only
 * while the fakes behave like them.
 */
import { DependencyError, SinkUnavailableError } from "../../src/engine/errors.ts";
import type { KafkaMessage } from "../../src/sinks/kafka/message.ts";
import { event, FakeSink, FakeSource } from "../unit/engine/fakes.ts";
import { sinkContract } from "./sink-contract.ts";
import { sourceContract } from "./source-contract.ts";

const STATES = { PENDING: "waiting", SENT: "delivered", FAILED: "rejected" } as const;

sourceContract("FakeSource", { polls: false }, async () => {
  const backend = new FakeSource();
  let serial = 0;
  return {
    source: () => backend,
    async write(count) {
      const events = Array.from({ length: count }, () => event(`fake-${serial++}`, { orderingKey: `key-${serial % 3}` }));
      backend.add(...events);
      return events.map((written) => written.id);
    },
    async stateOf(id) {
      const status = backend.statusOf(id);
      if (!status) throw new Error(`no event ${id}`);
      return STATES[status];
    },
    unreachable() {
      const away = new FakeSource();
      away.takeError = new DependencyError("fake", "the fake backend is away", { retriable: true });
      return away;
    },
    close: async () => {},
  };
});

sinkContract<KafkaMessage>("FakeSink", { unreachable: "throws", destinations: false }, async () => {
  const arrived: string[] = [];
  let serial = 0;
  const sinkOver = (reachable: boolean) => {
    const sink = new FakeSink();
    sink.behaviour = (messages) => {
      if (!reachable) throw new SinkUnavailableError("fake", "the fake destination is away");
      return messages.map((message) => {
        if (message.value.startsWith("too-large")) return { ok: false, kind: "rejected", error: new Error("too large for the fake") };
        arrived.push(message.value);
        return { ok: true };
      });
    };
    return sink;
  };
  return {
    sink: () => sinkOver(true),
    message: (key) => ({ topic: "fake", key: key ?? `key-${serial}`, value: `value-${serial++}`, headers: {} }),
    idOf: (message) => message.value,
    delivered: async () => [...arrived],
    refused: () => ({ topic: "fake", key: "big", value: `too-large-${serial++}`, headers: {} }),
    unreachable: () => sinkOver(false),
    close: async () => {},
  };
});
