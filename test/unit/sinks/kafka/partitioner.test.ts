import { describe, expect, test } from "bun:test";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import { explicitPartitioner, murmur2, partitionOf } from "../../../../src/sinks/kafka/partitioner.ts";

const partitions = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

/** Keys of every length from 0 to 40 and of every tail (length mod 4), ASCII and multi-byte UTF-8, and eventIds. */
const keys = [
  ...Array.from({ length: 41 }, (_, length) => "k".repeat(length)),
  ...Array.from({ length: 40 }, (_, index) => `행사-${"é".repeat(index % 7)}-${index}`),
  ...Array.from({ length: 2_000 }, () => crypto.randomUUID()),
];

describe("partitionOf", () => {
  test("puts every key on the partition kafkajs's DefaultPartitioner chooses", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const count of [1, 2, 3, 6, 10, 64]) {
      const partitionMetadata = partitions(count);
      for (const key of keys) {
        expect(partitionOf(key, count)).toBe(kafkajs({ topic: "hobom.messages", partitionMetadata, message: { key, value: "{}" } }));
      }
    }
  });

  test("matches the murmur2 of Kafka's Java client on known values", () => {
    // Utils.murmur2 of these UTF-8 strings, as Kafka's own tests list them (kafka UtilsTest).
    expect(murmur2("21")).toBe(-973932308);
    expect(murmur2("foobar")).toBe(-790332482);
    expect(murmur2("a-little-bit-long-string")).toBe(-985981536);
    expect(murmur2("a-little-bit-longer-string")).toBe(-1486304829);
    expect(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")).toBe(-58897971);
    expect(murmur2("abc")).toBe(479470107);
  });
});

describe("explicitPartitioner", () => {
  test("hands kafkajs the partition each record names", () => {
    const partitioner = explicitPartitioner();
    const partitionMetadata = partitions(6);
    for (const partition of [0, 3, 5]) {
      expect(partitioner({ topic: "t", partitionMetadata, message: { key: "k", value: "{}", partition } })).toBe(partition);
    }
  });

  test("refuses a record without a partition instead of letting kafkajs pick one", () => {
    expect(() => explicitPartitioner()({ topic: "t", partitionMetadata: partitions(6), message: { key: "k", value: "{}" } })).toThrow(TypeError);
  });
});
