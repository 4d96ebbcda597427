/**
 * The law pipeline: a LAW_CHANGED row becomes its LawChangedPayload, for the study-material sink
 * (LLM Generate, then SaveStudyMaterial). The DLQ keeps the payload as the Go processor's JSON,
 * `{"diffId","changes":[…]}`, which a replay reads back.
 */
import { MappingError, PermanentEventError } from "../../engine/errors.ts";
import type { Codec, Encoded, Unencodable } from "../../engine/ports.ts";
import { lawValue } from "../mappers/law.ts";
import type { LawChangedPayload } from "../wire-types.ts";
import { mapRow, rawRow } from "./rows.ts";

export function lawCodec(): Codec<LawChangedPayload> {
  return {
    encode(events) {
      const messages: Encoded<LawChangedPayload>[] = [];
      const unencodable: Unencodable[] = [];
      for (const event of events) {
        const payload = mapRow(event, (row) => row.payload as LawChangedPayload);
        if (payload instanceof MappingError) {
          unencodable.push({ event, value: rawRow(event), error: payload, replayable: false });
          continue;
        }
        messages.push({ events: [event], message: payload, bytes: 0, deadLetterValues: [JSON.stringify(lawValue(payload))] });
      }
      return { messages, unencodable };
    },
    replay: (entry) => parseLawPayload(entry.value),
  };
}

function parseLawPayload(value: string): LawChangedPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new PermanentEventError("the law entry is not JSON");
  }
  const candidate = parsed as Partial<LawChangedPayload>;
  if (typeof candidate?.diffId !== "string" || !Array.isArray(candidate.changes)) {
    throw new PermanentEventError('the law entry is not {"diffId","changes":[…]}');
  }
  return {
    diffId: candidate.diffId,
    changes: candidate.changes.map((change) => ({
      articleNo: String(change?.articleNo ?? ""),
      changeType: String(change?.changeType ?? ""),
      before: String(change?.before ?? ""),
      after: String(change?.after ?? ""),
    })),
  };
}
