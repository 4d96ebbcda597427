/** The study-material sink, on the LLM and for-hobom-backend doubles, passes the sink contract. */
import * as grpc from "@grpc/grpc-js";
import { createBackendChannels } from "../../src/grpc/channels.ts";
import { loadHoBomServices } from "../../src/grpc/protos.ts";
import type { LawChangedPayload } from "../../src/hobom/wire-types.ts";
import { silentLogger } from "../../src/observability/logger.ts";
import { createStudyMaterialService } from "../../src/sinks/study-material/client.ts";
import { createStudyMaterialSink } from "../../src/sinks/study-material/sink.ts";
import { startHoBomBackend, startLlmBackend } from "../support/backends/index.ts";
import { sinkContract } from "./sink-contract.ts";

const KEY = "contract-key";
const services = loadHoBomServices();

function studySink(mainAddress: string, llmAddress: string) {
  const channels = createBackendChannels({
    services,
    decoders: {},
    connections: {
      main: { address: mainAddress, apiKey: KEY, name: "for-hobom-backend" },
      llm: { address: llmAddress, apiKey: KEY, name: "hobom-llm-service-backend" },
    },
    maxReceiveBytes: 4 * 1024 * 1024,
  });
  const sink = createStudyMaterialSink({
    service: createStudyMaterialService({ channels, llmTimeoutMs: 2_000, callTimeoutMs: 2_000 }),
    generateAttempts: 2,
    generateBackoffMs: [10],
    log: silentLogger,
  });
  return {
    ...sink,
    async close() {
      await sink.close();
      channels.close();
    },
  };
}

sinkContract<LawChangedPayload>("study-material (LLM and for-hobom-backend doubles)", { unreachable: "refuses", destinations: false }, async () => {
  const [hobom, llm] = await Promise.all([startHoBomBackend({ apiKey: KEY }), startLlmBackend({ apiKey: KEY })]);
  return {
    sink: () => studySink(hobom.address, llm.address),
    message: (key) => ({
      diffId: `${key ?? "diff"}-${crypto.randomUUID()}`,
      changes: [{ articleNo: "Art. 1", changeType: "MODIFIED", before: "a", after: "b" }],
    }),
    idOf: (payload) => payload.diffId,
    delivered: async () => hobom.studyMaterials.all().map((material) => material.diffId),
    refused() {
      // The LLM refuses the next request outright: no attempt can change that.
      llm.faults.fail("Generate", { code: grpc.status.INVALID_ARGUMENT, message: "changes cannot be read" });
      return { diffId: `refused-${crypto.randomUUID()}`, changes: [] };
    },
    unreachable: () => studySink(hobom.address, "127.0.0.1:1"),
    async close() {
      hobom.stop();
      llm.stop();
    },
  };
});
