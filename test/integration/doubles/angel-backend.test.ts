/**
 * The for-hobom-angel-backend double behaves like the NestJS angel backend (contracts, section 4):
 * createdAt order with a limit of 200, INVALID_ARGUMENT for unknown values, ISO dates, marks only
 * from PENDING or FAILED, the oneof payload with a Timestamp, and UNKNOWN for a bad key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import type { AngelEventPayload, FindResponse } from "../../../src/hobom/wire-types.ts";
import {
  ANGEL_EVENT_TYPES,
  type AngelBackendDouble,
  angelAccessLogPayload,
  angelApprovalPayload,
  angelFosterTerminatedPayload,
  RawClient,
  startAngelBackend,
  statusOf,
  timestampOf,
} from "../../support/backends/index.ts";

const API_KEY = "angel-test-key";
const FIND = "FindOutboxByEventTypeAndStatusUseCase";
const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const MARK_FAILED = "PatchOutboxMarkAsFailedUseCase";

const services = loadHoBomServices();
let backend: AngelBackendDouble;
let find: RawClient;
let patch: RawClient;

beforeAll(async () => {
  backend = await startAngelBackend({ apiKey: API_KEY });
  find = new RawClient(services.angelFind, backend.address, { apiKey: API_KEY });
  patch = new RawClient(services.angelPatch, backend.address, { apiKey: API_KEY });
});

beforeEach(() => backend.reset());

afterAll(() => {
  find.close();
  patch.close();
  backend.stop();
});

const findAngel = (eventType = "ADOPTION_APPROVED", status = "PENDING") => find.call<FindResponse<AngelEventPayload>>(FIND, { eventType, status });
const addAdoption = () => backend.outbox.add({ eventType: "ADOPTION_APPROVED", payload: angelApprovalPayload() });

describe("for-hobom-angel-backend Find", () => {
  test("returns at most 200 rows, the oldest by createdAt, oldest first", async () => {
    // Creation times in a scrambled order, none equal: the answer must be sorted, then cut.
    const base = Date.parse("2026-11-23T00:00:00Z");
    const added = Array.from({ length: 250 }, (_, n) =>
      backend.outbox.add({
        eventType: "ADOPTION_APPROVED",
        payload: angelApprovalPayload(),
        createdAt: new Date(base + ((n * 97) % 250) * 1000),
      }),
    );
    const oldest200 = added.toSorted((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).slice(0, 200);

    const { items } = await findAngel();

    expect(items.map((item) => item.eventId)).toEqual(oldest200.map((row) => row.eventId));
  });

  test("accepts every angel event type and returns only rows of the requested one", async () => {
    const rows = ANGEL_EVENT_TYPES.map((eventType) => backend.outbox.add({ eventType, payload: angelAccessLogPayload() }));

    for (const row of rows) {
      expect((await findAngel(row.eventType)).items.map((item) => item.eventId)).toEqual([row.eventId]);
    }
  });

  test("answers an unknown event type or status with INVALID_ARGUMENT", async () => {
    expect(await statusOf(findAngel("MESSAGE"))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await statusOf(findAngel("ADOPTION_APPROVED", "DONE"))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await statusOf(findAngel("", ""))).toBe(grpc.status.INVALID_ARGUMENT);
  });

  test("sends the oneof payload with kind set and occurred_at as a Timestamp", async () => {
    const occurredAt = new Date("2026-11-23T14:05:07Z");
    backend.outbox.add({ eventType: "ADOPTION_APPROVED", payload: angelApprovalPayload({ occurred_at: timestampOf(occurredAt) }) });
    backend.outbox.add({ eventType: "FOSTER_TERMINATED", payload: angelFosterTerminatedPayload() });
    backend.outbox.add({ eventType: "HOBOM_LOG", payload: angelAccessLogPayload() });

    const approval = (await findAngel("ADOPTION_APPROVED")).items[0]?.payload;
    const foster = (await findAngel("FOSTER_TERMINATED")).items[0]?.payload;
    const accessLog = (await findAngel("HOBOM_LOG")).items[0]?.payload;

    expect(approval?.kind).toBe("approval_approved");
    expect(approval?.approval_approved?.approval_type).toBe("APPROVAL_TYPE_ADOPTION");
    expect(approval?.approval_approved?.occurred_at).toEqual({ seconds: String(occurredAt.getTime() / 1000), nanos: 0 });
    expect(foster?.kind).toBe("foster_terminated");
    expect(foster?.foster_terminated?.reason).toBe("FOSTER_END_REASON_EXPIRED");
    expect(accessLog?.kind).toBe("access_log");
    expect(accessLog?.access_log?.meta).toEqual({ region: "seoul" });
  });

  test("a row with no payload comes back with payload null", async () => {
    backend.outbox.add({ eventType: "FOSTER_APPROVED", payload: null });

    expect((await findAngel("FOSTER_APPROVED")).items[0]?.payload).toBeNull();
  });

  test("writes dates as ISO 8601, and null dates as empty strings; new rows start at retryCount 0", async () => {
    const createdAt = new Date("2026-11-23T14:05:00.123Z");
    backend.outbox.add({ eventType: "ADOPTION_APPROVED", payload: angelApprovalPayload(), createdAt });

    const [item] = (await findAngel()).items;

    expect(item?.createdAt).toBe("2026-11-23T14:05:00.123Z");
    expect(item?.sentAt).toBe("");
    expect(item?.failedAt).toBe("");
    expect(item?.retryCount).toBe(0);
  });
});

describe("for-hobom-angel-backend Patch", () => {
  test("MarkAsSent from PENDING sets SENT, sentAt and the version", async () => {
    const row = addAdoption();

    await patch.call(MARK_SENT, { eventId: row.eventId });

    const [item] = (await findAngel("ADOPTION_APPROVED", "SENT")).items;
    expect(item?.eventId).toBe(row.eventId);
    expect(item?.sentAt).toBe(row.sentAt?.toISOString() ?? "missing");
    expect(item?.version).toBe(2);
  });

  test("MarkAsFailed sets FAILED, failedAt and lastError, and adds one to retryCount", async () => {
    const row = addAdoption();

    await patch.call(MARK_FAILED, { eventId: row.eventId, errorMessage: "kafka timeout" });

    const [item] = (await findAngel("ADOPTION_APPROVED", "FAILED")).items;
    expect(item?.lastError).toBe("kafka timeout");
    expect(item?.retryCount).toBe(1);
    expect(item?.failedAt).toBe(row.failedAt?.toISOString() ?? "missing");
  });

  test("a FAILED row can be marked again, failed or sent", async () => {
    const row = addAdoption();
    await patch.call(MARK_FAILED, { eventId: row.eventId, errorMessage: "first" });

    await patch.call(MARK_FAILED, { eventId: row.eventId, errorMessage: "second" });
    expect(row.retryCount).toBe(2);
    await patch.call(MARK_SENT, { eventId: row.eventId });
    expect(row.status).toBe("SENT");
  });

  test("refuses to mark a SENT row with FAILED_PRECONDITION", async () => {
    const row = addAdoption();
    await patch.call(MARK_SENT, { eventId: row.eventId });

    expect(await statusOf(patch.call(MARK_SENT, { eventId: row.eventId }))).toBe(grpc.status.FAILED_PRECONDITION);
    expect(await statusOf(patch.call(MARK_FAILED, { eventId: row.eventId, errorMessage: "x" }))).toBe(grpc.status.FAILED_PRECONDITION);
    expect(row.status).toBe("SENT");
    expect(row.version).toBe(2);
  });

  test("accepts an unknown eventId silently", async () => {
    expect(await patch.call(MARK_SENT, { eventId: "no-such-event" })).toEqual({});
    expect(await patch.call(MARK_FAILED, { eventId: "no-such-event", errorMessage: "x" })).toEqual({});
  });
});

describe("for-hobom-angel-backend api key", () => {
  test("answers a wrong or missing x-api-key with UNKNOWN", async () => {
    const row = addAdoption();

    const statuses = [
      await statusOf(find.call(FIND, { eventType: "ADOPTION_APPROVED", status: "PENDING" }, { apiKey: "wrong" })),
      await statusOf(patch.call(MARK_SENT, { eventId: row.eventId }, { apiKey: null })),
    ];

    expect(statuses).toEqual([grpc.status.UNKNOWN, grpc.status.UNKNOWN]);
    expect(row.status).toBe("PENDING");
  });
});
