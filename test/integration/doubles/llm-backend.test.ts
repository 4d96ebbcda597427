/**
 * The hobom-llm-service-backend double answers Generate with material derived from the changes it
 * was sent, records what it was sent, can be made to fail, and rejects a bad key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import type { StudyMaterialRequest, StudyMaterialResponse } from "../../../src/hobom/wire-types.ts";
import { type LlmBackendDouble, RawClient, startLlmBackend, statusOf, studyMaterialFor } from "../../support/backends/index.ts";

const API_KEY = "llm-test-key";
const request: StudyMaterialRequest = {
  changes: [
    { articleNo: "Article 3", changeType: "MODIFIED", before: "30 days", after: "60 days" },
    { articleNo: "Article 5-2", changeType: "ADDED", before: "", after: "Remote work is allowed" },
  ],
};

const services = loadHoBomServices();
let backend: LlmBackendDouble;
let client: RawClient;

beforeAll(async () => {
  backend = await startLlmBackend({ apiKey: API_KEY });
  client = new RawClient(services.llm, backend.address, { apiKey: API_KEY });
});

beforeEach(() => backend.reset());

afterAll(() => {
  client.close();
  backend.stop();
});

const generate = (options = {}) => client.call<StudyMaterialResponse>("Generate", request, options);

describe("hobom-llm-service-backend Generate", () => {
  test("answers material derived from the changes: every article in the summary, a key point per change, one quiz", async () => {
    const material = await generate();

    expect(material).toEqual(studyMaterialFor(request));
    expect(material.summary).toContain("Article 3");
    expect(material.summary).toContain("Article 5-2");
    expect(material.keyPoints).toHaveLength(2);
    expect(material.quizzes).toHaveLength(1);
    expect(material.quizzes[0]?.answer).toBe("60 days");
  });

  test("records the changes it was sent", async () => {
    await generate();

    expect(backend.calls.requests<StudyMaterialRequest>("Generate")).toEqual([request]);
  });

  test("fails as told, then recovers", async () => {
    backend.faults.fail("Generate", { code: grpc.status.UNAVAILABLE, times: 2 });

    expect(await statusOf(generate())).toBe(grpc.status.UNAVAILABLE);
    expect(await statusOf(generate())).toBe(grpc.status.UNAVAILABLE);
    expect(await statusOf(generate())).toBe(grpc.status.OK);
  });

  test("answers a wrong or missing x-api-key with UNKNOWN", async () => {
    expect(await statusOf(generate({ apiKey: "wrong" }))).toBe(grpc.status.UNKNOWN);
    expect(await statusOf(generate({ apiKey: null }))).toBe(grpc.status.UNKNOWN);
  });
});
