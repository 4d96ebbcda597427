import { describe, expect, test } from "bun:test";
import { MappingError } from "../../../../src/engine/errors.ts";
import { angelValue } from "../../../../src/hobom/mappers/angel.ts";
import { accessLog, approval, fosterTerminated } from "../payloads.ts";

const json = (value: unknown) => JSON.stringify(value);

describe("angelValue", () => {
  test("writes an approval with the enum name and occurredAt in RFC 3339 UTC whole seconds", () => {
    expect(json(angelValue("ADOPTION_APPROVED", approval({ occurred_at: { seconds: "1700000000", nanos: 123_000_000 } })))).toBe(
      '{"eventType":"ADOPTION_APPROVED","recipientUserId":"user-3","approvalType":"APPROVAL_TYPE_ADOPTION",' +
        '"subjectRef":"adoption-9","shelterId":"shelter-5","occurredAt":"2023-11-14T22:13:20Z"}',
    );
  });

  test("writes a foster termination with the reason's enum name", () => {
    expect(json(angelValue("FOSTER_TERMINATED", fosterTerminated()))).toBe(
      '{"eventType":"FOSTER_TERMINATED","recipientUserId":"user-4","fosterProcessId":"foster-1","animalId":"animal-2",' +
        '"reason":"FOSTER_END_REASON_EXPIRED","occurredAt":"2023-11-14T22:13:20Z"}',
    );
  });

  test("always writes eventType and recipientUserId, and leaves out every other empty field", () => {
    const bare = approval({ approval_type: "APPROVAL_TYPE_UNSPECIFIED", subject_ref: "", recipient_user_id: "", shelter_id: "", occurred_at: null });
    expect(json(angelValue("STAFF_PROMOTION_APPROVED", bare))).toBe('{"eventType":"STAFF_PROMOTION_APPROVED","recipientUserId":""}');
  });

  test("leaves out the UNSPECIFIED enum values, by name or by number", () => {
    expect(angelValue("FOSTER_APPROVED", approval({ approval_type: "APPROVAL_TYPE_UNSPECIFIED" }))).not.toHaveProperty("approvalType");
    expect(angelValue("FOSTER_APPROVED", approval({ approval_type: 0 as never }))).not.toHaveProperty("approvalType");
    expect(angelValue("FOSTER_TERMINATED", fosterTerminated({ reason: "FOSTER_END_REASON_UNSPECIFIED" }))).not.toHaveProperty("reason");
  });

  test("keeps an enum number the protos do not know as its digits", () => {
    expect(json(angelValue("FOSTER_APPROVED", approval({ approval_type: 7 as never, occurred_at: null })))).toBe(
      '{"eventType":"FOSTER_APPROVED","recipientUserId":"user-3","approvalType":"7","subjectRef":"adoption-9","shelterId":"shelter-5"}',
    );
    expect(angelValue("FOSTER_TERMINATED", fosterTerminated({ reason: 9 as never })).reason).toBe("9");
  });

  test("leaves out a zero Timestamp", () => {
    expect(angelValue("ADOPTION_APPROVED", approval({ occurred_at: { seconds: "0", nanos: 0 } }))).not.toHaveProperty("occurredAt");
  });

  test("refuses a row whose oneof holds an access log, or nothing", () => {
    expect(() => angelValue("ADOPTION_APPROVED", accessLog())).toThrow(MappingError);
    expect(() => angelValue("ADOPTION_APPROVED", {})).toThrow(MappingError);
    expect(() => angelValue("ADOPTION_APPROVED", { kind: "approval_approved", approval_approved: null })).toThrow(MappingError);
    expect(() => angelValue("FOSTER_TERMINATED", { kind: "foster_terminated" })).toThrow(MappingError);
  });
});
