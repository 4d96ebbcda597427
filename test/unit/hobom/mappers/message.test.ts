import { describe, expect, test } from "bun:test";
import { messageValue } from "../../../../src/hobom/mappers/message.ts";
import { messagePayload } from "../payloads.ts";

const NOW = new Date("2024-05-06T07:08:09.987Z");

describe("messageValue", () => {
  test("writes the hobom.messages value with the Go field names in the Go order", () => {
    expect(JSON.stringify(messageValue(messagePayload(), NOW))).toBe(
      '{"type":"MAIL_MESSAGE","title":"Today\'s menu","body":"Kimchi stew","recipient":"user@example.com","senderId":"sender-7","sentAt":"2024-05-06T07:08:09Z"}',
    );
  });

  test("does not forward payload.id", () => {
    const value = messageValue(messagePayload({ id: "must-not-leak" }), NOW);
    expect(Object.keys(value)).not.toContain("id");
    expect(JSON.stringify(value)).not.toContain("must-not-leak");
  });

  test("always writes senderId, as an empty string when the backend sent none", () => {
    expect(JSON.stringify(messageValue(messagePayload({ senderId: "" }), NOW))).toBe(
      '{"type":"MAIL_MESSAGE","title":"Today\'s menu","body":"Kimchi stew","recipient":"user@example.com","senderId":"","sentAt":"2024-05-06T07:08:09Z"}',
    );
  });

  test("keeps PUSH_MESSAGE as the type", () => {
    expect(messageValue(messagePayload({ type: "PUSH_MESSAGE" }), NOW).type).toBe("PUSH_MESSAGE");
  });

  test("stamps sentAt with the injected processing time as whole-second RFC 3339 UTC", () => {
    expect(messageValue(messagePayload(), new Date("2030-12-31T23:59:59.999Z")).sentAt).toBe("2030-12-31T23:59:59Z");
    expect(messageValue(messagePayload(), new Date(Date.UTC(2024, 0, 2, 3, 4, 5))).sentAt).toBe("2024-01-02T03:04:05Z");
  });
});
