/**
 * The hobom-space-backend double behaves like the .NET backend (contracts, section 4): createdAt
 * order without a limit, empty lists for unknown values, round-trip dates, NOT_FOUND for an unknown
 * eventId, exact int64 pageIds and UNAUTHENTICATED for a bad key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import type { FindResponse, HoBomLogPayload, SpaceEventPayload } from "../../../src/hobom/wire-types.ts";
import { logPayload, RawClient, type SpaceBackendDouble, spaceEventPayload, startSpaceBackend, statusOf } from "../../support/backends/index.ts";

const API_KEY = "space-test-key";
const FIND = "FindOutboxByEventTypeAndStatusUseCase";
const LOG_FIND = "FindLogOutboxByEventTypeAndStatusUseCase";
const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const MARK_FAILED = "PatchOutboxMarkAsFailedUseCase";
/** .NET's round-trip format "O": seven fractional digits, UTC. */
const ROUND_TRIP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

const services = loadHoBomServices();
let backend: SpaceBackendDouble;
let spaceFind: RawClient;
let logFind: RawClient;
let patch: RawClient;

beforeAll(async () => {
  backend = await startSpaceBackend({ apiKey: API_KEY });
  spaceFind = new RawClient(services.spaceFind, backend.address, { apiKey: API_KEY });
  logFind = new RawClient(services.logFind, backend.address, { apiKey: API_KEY });
  patch = new RawClient(services.spacePatch, backend.address, { apiKey: API_KEY });
});

beforeEach(() => backend.reset());

afterAll(() => {
  for (const client of [spaceFind, logFind, patch]) client.close();
  backend.stop();
});

const findSpaceEvents = (eventType = "SPACE_EVENT", status = "PENDING") => spaceFind.call<FindResponse<SpaceEventPayload>>(FIND, { eventType, status });
const findLogs = (eventType = "SPACE_LOG", status = "PENDING") => logFind.call<FindResponse<HoBomLogPayload>>(LOG_FIND, { eventType, status });

describe("hobom-space-backend Find", () => {
  test("returns every matching row, oldest createdAt first, with no limit", async () => {
    // Added newest first: only a sort by createdAt puts them back in creation order.
    const base = Date.parse("2026-11-23T00:00:00Z");
    const added = Array.from({ length: 250 }, (_, n) => backend.spaceEvents.add({ payload: spaceEventPayload(), createdAt: new Date(base - n * 1000) }));

    const { items } = await findSpaceEvents();

    expect(items.map((item) => item.eventId)).toEqual(added.toReversed().map((row) => row.eventId));
  });

  test("answers an unknown event type or status with an empty list, not an error", async () => {
    backend.spaceEvents.add({ payload: spaceEventPayload() });

    expect((await findSpaceEvents("NO_SUCH_TYPE")).items).toEqual([]);
    expect((await findSpaceEvents("SPACE_EVENT", "NO_SUCH_STATUS")).items).toEqual([]);
  });

  test("serves SPACE_LOG rows through the shared log Find, and only those", async () => {
    const log = backend.logs.add({ payload: logPayload({ serviceType: "HOBOM_SPACE" }) });
    backend.spaceEvents.add({ payload: spaceEventPayload() });

    const { items } = await findLogs();

    expect(items.map((item) => item.eventId)).toEqual([log.eventId]);
    expect(items[0]?.payload).toEqual(logPayload({ serviceType: "HOBOM_SPACE" }));
    expect((await findLogs("HOBOM_LOG")).items).toEqual([]);
  });

  test("keeps an int64 pageId exact, beyond what a JS number can hold", async () => {
    backend.spaceEvents.add({ payload: spaceEventPayload({ pageId: "9007199254740993" }) });
    backend.spaceEvents.add({ payload: spaceEventPayload({ pageId: "9223372036854775807" }) });

    const { items } = await findSpaceEvents();

    expect(items.map((item) => item.payload?.pageId)).toEqual(["9007199254740993", "9223372036854775807"]);
  });

  test("a row with no payload comes back with payload null", async () => {
    backend.spaceEvents.add({ payload: null });

    expect((await findSpaceEvents()).items[0]?.payload).toBeNull();
  });

  test("writes dates in the round-trip format, and null dates as empty strings", async () => {
    const createdAt = new Date("2026-11-23T14:05:00.123Z");
    backend.spaceEvents.add({ payload: spaceEventPayload(), createdAt });

    const [item] = (await findSpaceEvents()).items;

    expect(item?.createdAt).toBe("2026-11-23T14:05:00.1230000Z");
    expect(item?.updatedAt).toMatch(ROUND_TRIP);
    expect(item?.sentAt).toBe("");
    expect(item?.failedAt).toBe("");
  });

  test("new rows start at retryCount 0", async () => {
    backend.spaceEvents.add({ payload: spaceEventPayload() });
    backend.logs.add({ payload: logPayload() });

    expect((await findSpaceEvents()).items[0]?.retryCount).toBe(0);
    expect((await findLogs()).items[0]?.retryCount).toBe(0);
  });
});

describe("hobom-space-backend Patch", () => {
  test("MarkAsSent sets SENT, sentAt and the version, on SPACE_EVENT and SPACE_LOG rows", async () => {
    const event = backend.spaceEvents.add({ payload: spaceEventPayload() });
    const log = backend.logs.add({ payload: logPayload() });

    await patch.call(MARK_SENT, { eventId: event.eventId });
    await patch.call(MARK_SENT, { eventId: log.eventId });

    expect([event.status, log.status]).toEqual(["SENT", "SENT"]);
    const [item] = (await findSpaceEvents("SPACE_EVENT", "SENT")).items;
    expect(item?.sentAt).toMatch(ROUND_TRIP);
    expect(item?.version).toBe(2);
  });

  test("MarkAsFailed sets FAILED, failedAt and lastError, and adds one to retryCount", async () => {
    const row = backend.spaceEvents.add({ payload: spaceEventPayload() });

    await patch.call(MARK_FAILED, { eventId: row.eventId, errorMessage: "broker down" });

    const [item] = (await findSpaceEvents("SPACE_EVENT", "FAILED")).items;
    expect(item?.lastError).toBe("broker down");
    expect(item?.retryCount).toBe(1);
    expect(item?.failedAt).toMatch(ROUND_TRIP);
  });

  test("lets a SENT row become FAILED (no precondition)", async () => {
    const row = backend.spaceEvents.add({ payload: spaceEventPayload(), status: "SENT" });

    await patch.call(MARK_FAILED, { eventId: row.eventId, errorMessage: "late" });

    expect(row.status).toBe("FAILED");
  });

  test("answers NOT_FOUND for an unknown eventId", async () => {
    expect(await statusOf(patch.call(MARK_SENT, { eventId: "no-such-event" }))).toBe(grpc.status.NOT_FOUND);
    expect(await statusOf(patch.call(MARK_FAILED, { eventId: "no-such-event", errorMessage: "x" }))).toBe(grpc.status.NOT_FOUND);
  });
});

describe("hobom-space-backend api key", () => {
  test("answers a wrong or missing x-api-key with UNAUTHENTICATED", async () => {
    const row = backend.spaceEvents.add({ payload: spaceEventPayload() });

    const statuses = [
      await statusOf(spaceFind.call(FIND, { eventType: "SPACE_EVENT", status: "PENDING" }, { apiKey: "wrong" })),
      await statusOf(logFind.call(LOG_FIND, { eventType: "SPACE_LOG", status: "PENDING" }, { apiKey: null })),
      await statusOf(patch.call(MARK_SENT, { eventId: row.eventId }, { apiKey: "wrong" })),
    ];

    expect(statuses).toEqual(Array(3).fill(grpc.status.UNAUTHENTICATED));
    expect(row.status).toBe("PENDING");
  });
});
