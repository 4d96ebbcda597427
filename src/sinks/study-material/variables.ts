/** The study-material sink of the law pipeline: the LLM deadline and Generate retries. */
import { integer, integerList } from "../../config/parsers.ts";
import { MS, variable } from "../../config/variable.ts";

export const STUDY_MATERIAL_VARIABLES = {
  llmTimeoutMs: variable({ name: "HOBOM_LLM_TIMEOUT_MS", doc: "Deadline of one LLM Generate call, in ms.", example: "120000", fallback: "120000", parse: MS }),
  lawAttempts: variable({
    name: "HOBOM_LAW_GENERATE_ATTEMPTS",
    doc: "LLM Generate attempts per law event before it goes to the DLQ.",
    example: "3",
    fallback: "3",
    parse: integer(1, 20),
  }),
  lawBackoffMs: variable({
    name: "HOBOM_LAW_GENERATE_BACKOFF_MS",
    doc: "Waits between Generate attempts, in ms, the last repeated.",
    example: "500,1000",
    fallback: "500,1000",
    parse: integerList(0, 600_000),
  }),
} as const;
