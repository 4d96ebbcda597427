/** The LLM (Generate) and for-hobom-backend's SaveStudyMaterial over the HoBom gRPC channels. */
import type { BackendChannels } from "../../grpc/channels.ts";
import type { StudyMaterialResponse } from "../../hobom/wire-types.ts";
import type { StudyMaterialService } from "./sink.ts";

export function createStudyMaterialService(params: { channels: BackendChannels; llmTimeoutMs: number; callTimeoutMs: number }): StudyMaterialService {
  const { channels } = params;
  return {
    generate: (request) => channels.call<StudyMaterialResponse>("llm", "llm", "Generate", request, { timeoutMs: params.llmTimeoutMs }),
    async save(request) {
      await channels.call("main", "lawSave", "SaveStudyMaterial", request, { timeoutMs: params.callTimeoutMs });
    },
  };
}
