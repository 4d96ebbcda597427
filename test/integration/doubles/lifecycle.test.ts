/**
 * Starting and stopping doubles: each gets its own free port, and stop() closes it for good, may be
 * called twice, and does not trip over a call still being served.
 */
import { describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import { RawClient, startAngelBackend, startHoBomBackend, startLlmBackend, startSpaceBackend, statusOf } from "../../support/backends/index.ts";

const services = loadHoBomServices();
const find = { eventType: "MESSAGE", status: "PENDING" };

describe("double lifecycle", () => {
  test("every double listens on its own loopback port", async () => {
    const doubles = await Promise.all([
      startHoBomBackend({ apiKey: "k" }),
      startHoBomBackend({ apiKey: "k" }),
      startSpaceBackend({ apiKey: "k" }),
      startAngelBackend({ apiKey: "k" }),
      startLlmBackend({ apiKey: "k" }),
    ]);
    try {
      const addresses = doubles.map((double) => double.address);
      expect(new Set(addresses).size).toBe(addresses.length);
      for (const address of addresses) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      for (const double of doubles) double.stop();
    }
  });

  test("stop() may be called twice, and the port refuses calls afterwards", async () => {
    const backend = await startHoBomBackend({ apiKey: "k" });
    const client = new RawClient(services.messageFind, backend.address, { apiKey: "k" });
    try {
      expect(await statusOf(client.call("FindOutboxByEventTypeAndStatusUseCase", find))).toBe(grpc.status.OK);

      backend.stop();
      backend.stop();

      expect(await statusOf(client.call("FindOutboxByEventTypeAndStatusUseCase", find, { deadlineMs: 1000 }))).toBe(grpc.status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });

  test("stop() during a delayed call ends that call instead of leaving it hanging", async () => {
    const backend = await startHoBomBackend({ apiKey: "k" });
    const client = new RawClient(services.messageFind, backend.address, { apiKey: "k" });
    backend.faults.delay("*", 200);
    try {
      const pending = statusOf(client.call("FindOutboxByEventTypeAndStatusUseCase", find, { deadlineMs: 2000 }));
      await Bun.sleep(30);
      backend.stop();

      expect(await pending).not.toBe(grpc.status.OK);
      await Bun.sleep(250); // the handler wakes up after the stop and must not throw
    } finally {
      client.close();
    }
  });
});
