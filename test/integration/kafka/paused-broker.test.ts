/**
 * The Kafka sink with a paused broker among its bootstrap brokers: the test bed's broker beside a
 * listener that accepts connections and never answers, as a SIGSTOPped broker does. It must not
 * make the cluster look down ("is the cluster reachable at all?", which health probes ask and
 * which opens the shared breaker), nor keep every new producer from starting.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import { silentLogger } from "../../../src/observability/logger.ts";
import { KafkaUnreachableError } from "../../../src/sinks/kafka/errors.ts";
import { createKafkaSink, type KafkaSink } from "../../../src/sinks/kafka/sink.ts";
import { createTopics, readTopic } from "../../support/kafka-topics.ts";
import { testbedEnv, uniqueName } from "../../support/testbed-env.ts";

// Accepts and reads, answers nothing: what a paused broker's kernel does for it.
const sockets = new Set<Socket<unknown>>();
const silent: TCPSocketListener<unknown> = Bun.listen<unknown>({
  hostname: "127.0.0.1",
  port: 0,
  socket: {
    open: (socket) => void sockets.add(socket),
    data: () => {},
    close: (socket) => void sockets.delete(socket),
  },
});
const paused = `127.0.0.1:${silent.port}`;

const sinks: KafkaSink[] = [];
afterAll(async () => {
  await Promise.all(sinks.map((sink) => sink.close()));
  for (const socket of sockets) socket.end();
  silent.stop(true);
});

function sink(brokers: readonly string[], writeTimeoutMs = 5_000): KafkaSink {
  const created = createKafkaSink({
    brokers,
    clientId: uniqueName("paused-broker-test"),
    acks: -1,
    writeTimeoutMs,
    maxMessageBytes: 1_000_000,
    backoffMs: [500],
    log: silentLogger,
  });
  sinks.push(created);
  return created;
}

describe("the Kafka sink's ping", () => {
  test("answers when one bootstrap broker is paused and another answers, whichever comes first", async () => {
    await sink([paused, ...testbedEnv().kafkaBrokers]).ping(3_000);
    await sink([...testbedEnv().kafkaBrokers, paused]).ping(3_000);
  });

  test("fails within its timeout, as unreachable, when no broker answers", async () => {
    const started = performance.now();
    const error = await sink([paused])
      .ping(1_000)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KafkaUnreachableError);
    expect((error as Error).message).toContain("no broker answered a metadata request within 1000 ms");
    expect(performance.now() - started).toBeLessThan(2_500);
  });
});

describe("the Kafka sink's producers", () => {
  test("start at the next bootstrap broker after one that accepts connections and never answers", async () => {
    const topic = uniqueName("paused-seed");
    await createTopics(testbedEnv().kafkaBrokers, [topic]);
    const relay = sink([paused, ...testbedEnv().kafkaBrokers], 1_000);
    const message = { topic, key: "k1", value: "v1", headers: {} };
    // The first producer asks the paused broker and gives up; a later one starts at the next.
    let acknowledged = false;
    for (let attempt = 0; attempt < 3 && !acknowledged; attempt++) {
      const [outcome] = await relay.deliver([message], new AbortController().signal);
      acknowledged = outcome?.ok === true;
    }
    expect(acknowledged).toBe(true);
    expect((await readTopic(testbedEnv().kafkaBrokers, topic)).map((record) => record.key)).toEqual(["k1"]);
  }, 30_000);
});
