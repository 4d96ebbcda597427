/**
 * The SQL outbox source under faults (issue 12): PostgreSQL restarted mid-drain, the relay
 * SIGKILLed mid-batch, three instances with one killed, poison rows among good ones, and a Kafka
 * outage. Each: 0 lost, every aggregate in the order its rows were written, duplicates only where
 * one send's outcome is lost (a killed relay) and then at most one send's records, and no attempt
 * counted against a row for an outage that was not its fault.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type KafkaBroker, startKafkaBroker } from "../../infra/kafka-broker.ts";
import { type PostgresInstance, startPrivatePostgres } from "../../infra/postgres-server.ts";
import { eventually } from "../../support/relay-env.ts";
import { POSTGRES_URL } from "../../support/sql-outbox.ts";
import { MAX_MESSAGE_BYTES, ONE_SEND, runOutboxScenario, type ScenarioResult } from "./support/scenario.ts";

const results: [string, ScenarioResult][] = [];
afterAll(() => {
  for (const [name, result] of results) {
    console.log(
      `| ${name} | ${result.rows} | ${result.delivered} | ${result.deadLettered} | ${result.duplicates} | ${result.lost.length} | ${result.outOfOrder.length} | ${(result.recoverMs / 1000).toFixed(1)} s |`,
    );
  }
});

function expectSound(name: string, result: ScenarioResult, allowedDuplicates: number) {
  results.push([name, result]);
  expect(result.lost).toEqual([]);
  expect(result.outOfOrder).toEqual([]);
  expect(result.duplicates).toBeLessThanOrEqual(allowedDuplicates);
  expect(result.blamed).toBe(0);
}

describe("a PostgreSQL outbox under faults", () => {
  let postgres: PostgresInstance;
  let broker: KafkaBroker;
  beforeAll(async () => {
    [postgres, broker] = await Promise.all([startPrivatePostgres(), startKafkaBroker({ name: "outbox-faults" })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([postgres?.kill(), broker?.kill()]);
  });

  test("PostgreSQL restarted mid-drain: claims and marks fail, nothing is lost or sent twice", async () => {
    const result = await runOutboxScenario({
      url: postgres.url,
      kafkaBrokers: broker.brokers,
      rows: 4000,
      perSecond: 1000,
      instances: 1,
      fault: async () => {
        await postgres.stop();
        await Bun.sleep(2_000);
        await postgres.start();
      },
    });
    expectSound("PostgreSQL stopped (pg_ctl -m fast), then started", result, 0);
    expect(result.delivered).toBe(result.rows);
  }, 120_000);

  test("Kafka stopped mid-drain: rows wait, none is counted against, all go out once it is back", async () => {
    const result = await runOutboxScenario({
      url: POSTGRES_URL,
      kafkaBrokers: broker.brokers,
      rows: 4000,
      perSecond: 1000,
      instances: 1,
      fault: async () => {
        await broker.stop();
        await Bun.sleep(3_000);
        await broker.start();
      },
    });
    expectSound("Kafka broker stopped, then started", result, ONE_SEND);
    expect(result.delivered).toBe(result.rows);
  }, 120_000);
});

describe("relays under faults", () => {
  test("the relay SIGKILLed mid-batch, then started again: its claims lapse and the rows go out, at most one send twice", async () => {
    const result = await runOutboxScenario({
      url: POSTGRES_URL,
      rows: 5000,
      perSecond: 1000,
      instances: 1,
      fault: async ({ relays, startRelay }) => {
        await relays[0]?.kill();
        await startRelay();
      },
    });
    expectSound("relay SIGKILLed mid-batch, then started again", result, ONE_SEND);
    expect(result.delivered).toBe(result.rows);
  }, 120_000);

  test("three instances at once, one SIGKILLed: the others take its rows over within the claim lease, each aggregate in order", async () => {
    const result = await runOutboxScenario({
      url: POSTGRES_URL,
      rows: 6000,
      perSecond: 1500,
      instances: 3,
      fault: async ({ relays }) => {
        await relays[1]?.kill();
      },
    });
    expectSound("three instances, one SIGKILLed", result, ONE_SEND);
    expect(result.delivered).toBe(result.rows);
  }, 120_000);

  test("poison rows among good ones: each dead-lettered and marked failed, every other row delivered in order", async () => {
    const poison = (index: number) => index % 97 === 13;
    const result = await runOutboxScenario({
      url: POSTGRES_URL,
      rows: 3000,
      perSecond: 1000,
      instances: 2,
      // Over the record size limit: a row the sink can never take.
      payloadOf: (index) => JSON.stringify(poison(index) ? { n: index, blob: "x".repeat(MAX_MESSAGE_BYTES) } : { n: index }),
      fault: async ({ writer }) => {
        await eventually(() => writer.rows.length >= 2000, 30_000);
      },
    });
    const expectedPoison = Array.from({ length: 3000 }, (_, index) => index).filter(poison).length;
    expectSound("poison rows (over the record size limit) among good ones, two instances", result, 0);
    expect(result.deadLettered).toBe(expectedPoison);
    expect(result.delivered).toBe(result.rows - expectedPoison);
  }, 120_000);
});
