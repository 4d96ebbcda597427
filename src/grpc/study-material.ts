/** The LLM (Generate) and for-hobom-backend's SaveStudyMaterial, as the law pipeline's port. */
import type { StudyMaterialService } from "../relay/ports.ts";
import type { StudyMaterialResponse } from "./wire-types.ts";
import type { BackendChannels } from "./channels.ts";

export function createStudyMaterialService(params: {
  channels: BackendChannels;
  llmTimeoutMs: number;
  callTimeoutMs: number;
}): StudyMaterialService {
  const { channels } = params;
  return {
    generate: (request) =>
      channels.call<StudyMaterialResponse>("llm", "llm", "Generate", request, { timeoutMs: params.llmTimeoutMs }),
    async save(request) {
      await channels.call("main", "lawSave", "SaveStudyMaterial", request, { timeoutMs: params.callTimeoutMs });
    },
  };
}
