/** The gRPC outbox source, on the for-hobom-backend double's message outbox, passes the source contract. */

import { createPoller } from "../../src/engine/polling.ts";
import { createBackendChannels } from "../../src/grpc/channels.ts";
import { loadHoBomServices } from "../../src/grpc/protos.ts";
import { PIPELINES } from "../../src/hobom/pipelines.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import { loadFindDecoders } from "../../src/sources/grpc-outbox/find-decoder.ts";
import { createOutboxClient } from "../../src/sources/grpc-outbox/outbox-client.ts";
import { createGrpcOutboxSource } from "../../src/sources/grpc-outbox/source.ts";
import { messagePayload, startHoBomBackend } from "../support/backends/index.ts";
import { sourceContract } from "./source-contract.ts";

const found = PIPELINES.find((row) => row.name === "message");
if (!found) throw new Error("no message pipeline");
const message = found;
const services = loadHoBomServices();
const decoders = loadFindDecoders();

function grpcSource(address: string, apiKey: string) {
  const channels = createBackendChannels({
    services,
    decoders,
    connections: { main: { address, apiKey, name: "for-hobom-backend" } },
    maxReceiveBytes: 64 * 1024 * 1024,
  });
  const source = createGrpcOutboxSource({
    client: createOutboxClient({ channels, find: message.find, mark: message.mark, findTimeoutMs: 2_000, callTimeoutMs: 2_000 }),
    find: message.find,
    poller: createPoller({ intervalMs: 60_000 }),
    markConcurrency: 4,
    log: silentLogger,
  });
  return {
    ...source,
    async close() {
      await source.close();
      channels.close();
    },
  };
}

sourceContract("grpc-outbox (for-hobom-backend double)", { polls: true }, async () => {
  const backend = await startHoBomBackend({ apiKey: "contract-key" });
  const states = { PENDING: "waiting", SENT: "delivered", FAILED: "rejected" } as const;
  return {
    source: () => grpcSource(backend.address, "contract-key"),
    async write(count) {
      return Array.from({ length: count }, () => backend.messages.add({ payload: messagePayload() }).eventId);
    },
    async stateOf(id) {
      const row = backend.messages.get(id);
      if (!row) throw new Error(`no row ${id}`);
      return states[row.status];
    },
    unreachable: () => grpcSource("127.0.0.1:1", "contract-key"),
    async close() {
      backend.stop();
    },
  };
});
