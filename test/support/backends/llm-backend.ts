/**
 * A double of hobom-llm-service-backend: Generate answers study material derived deterministically
 * from the changes it was given, so a test can tell what the relay forwarded to the LLM and what it
 * then passed on to SaveStudyMaterial. To make it fail, use its `faults`.
 */
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import type { StudyMaterialRequest, StudyMaterialResponse } from "../../../src/hobom/wire-types.ts";
import { type DoubleServer, startDoubleServer } from "./double-server.ts";

/** The running double. */
export interface LlmBackendDouble extends DoubleServer {
  /** Forgets calls and faults, for reuse across tests. */
  reset(): void;
}

/**
 * What Generate answers for these changes: a summary naming every article, one key point per change
 * and one quiz about the first change. Exported so tests can compute the expected material.
 */
export function studyMaterialFor(request: StudyMaterialRequest): StudyMaterialResponse {
  const articles = request.changes.map((change) => change.articleNo);
  const first = request.changes[0];
  return {
    summary: `Changes to articles ${articles.join(", ")}`,
    keyPoints: request.changes.map((change) => `${change.articleNo} ${change.changeType}: "${change.before}" -> "${change.after}"`),
    quizzes: first
      ? [
          {
            type: "MULTIPLE_CHOICE",
            question: `What does ${first.articleNo} say now?`,
            answer: first.after,
            explanation: `${first.articleNo} was ${first.changeType}.`,
            choices: [first.after, first.before],
          },
        ]
      : [],
  };
}

/** Starts the double; every call must carry `x-api-key: apiKey`, else it gets UNKNOWN. */
export async function startLlmBackend(opts: { apiKey: string }): Promise<LlmBackendDouble> {
  const services = loadHoBomServices();
  const server = await startDoubleServer({
    apiKey: opts.apiKey,
    badApiKeyStatus: grpc.status.UNKNOWN,
    services: [{ definition: services.llm, handlers: { Generate: studyMaterialFor } }],
  });
  return {
    ...server,
    reset() {
      server.calls.clear();
      server.faults.clear();
    },
  };
}
