import { describe, expect, test } from "bun:test";
import { lawValue, studyMaterialRequest } from "../../../../src/hobom/mappers/law.ts";
import { lawPayload } from "../payloads.ts";

describe("lawValue", () => {
  test("writes the LawChangedPayload as the Go DLQ JSON", () => {
    expect(JSON.stringify(lawValue(lawPayload()))).toBe(
      '{"diffId":"diff-1","changes":[{"articleNo":"제1조","changeType":"MODIFIED","before":"old text","after":"new text"}]}',
    );
  });

  test("keeps every change in order and only the four article fields", () => {
    const payload = lawPayload({
      changes: [
        { articleNo: "1", changeType: "ADDED", before: "", after: "a" },
        { articleNo: "2", changeType: "DELETED", before: "b", after: "", extra: "dropped" } as never,
      ],
    });
    expect(JSON.stringify(lawValue(payload))).toBe(
      '{"diffId":"diff-1","changes":[{"articleNo":"1","changeType":"ADDED","before":"","after":"a"},{"articleNo":"2","changeType":"DELETED","before":"b","after":""}]}',
    );
  });

  test("writes an empty change list as []", () => {
    expect(JSON.stringify(lawValue(lawPayload({ changes: [] })))).toBe('{"diffId":"diff-1","changes":[]}');
  });
});

describe("studyMaterialRequest", () => {
  test("asks Generate for the article changes, field for field", () => {
    expect(studyMaterialRequest(lawPayload())).toEqual({
      changes: [{ articleNo: "제1조", changeType: "MODIFIED", before: "old text", after: "new text" }],
    });
  });
});
