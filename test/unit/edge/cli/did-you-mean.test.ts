import { describe, expect, test } from "bun:test";
import { closest, editDistance } from "../../../../src/edge/cli/did-you-mean.ts";

describe("editDistance", () => {
  test("counts inserts, deletes, replacements and a swap of neighbours as one edit each", () => {
    expect(editDistance("HOBOM_KAFKA_BROKR", "HOBOM_KAFKA_BROKER")).toBe(1);
    expect(editDistance("HOBOM_KAFKA_BROKERS", "HOBOM_KAFKA_BROKER")).toBe(1);
    expect(editDistance("retyr", "retry")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});

describe("closest", () => {
  test("suggests the nearest name, case ignored, when it is near enough", () => {
    expect(closest("HOBOM_KAFKA_BROKR", ["HOBOM_KAFKA_ACKS", "HOBOM_KAFKA_BROKER"])).toBe("HOBOM_KAFKA_BROKER");
    expect(closest("hobom_log_level", ["HOBOM_LOG_LEVEL"])).toBe("HOBOM_LOG_LEVEL");
    expect(closest("rety", ["ls", "retry", "rm"])).toBe("retry");
  });

  test("suggests nothing for a name unlike every candidate", () => {
    expect(closest("HOBOM_WHATEVER", ["HOBOM_KAFKA_BROKER", "HOBOM_LOG_LEVEL"])).toBeUndefined();
    expect(closest("xyz", ["ls", "rm"])).toBeUndefined();
  });
});
