/**
 * The for-hobom-backend double behaves like the NestJS backend (contracts, section 4): natural
 * order without a limit, empty lists for unknown values, Date.toString() dates, lenient marks,
 * a non-idempotent SaveStudyMaterial and UNKNOWN for a bad key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import * as grpc from "@grpc/grpc-js";
import { loadHoBomServices } from "../../../src/grpc/protos.ts";
import type { FindResponse, HoBomLogPayload, LawChangedPayload, MessagePayload, SaveStudyMaterialRequest } from "../../../src/hobom/wire-types.ts";
import {
  type HoBomBackendDouble,
  lawChangedPayload,
  logPayload,
  messagePayload,
  RawClient,
  startHoBomBackend,
  statusOf,
} from "../../support/backends/index.ts";

const API_KEY = "hobom-test-key";
const FIND = "FindOutboxByEventTypeAndStatusUseCase";
const LOG_FIND = "FindLogOutboxByEventTypeAndStatusUseCase";
const MARK_SENT = "PatchOutboxMarkAsSentUseCase";
const MARK_FAILED = "PatchOutboxMarkAsFailedUseCase";
/** What `Date.prototype.toString()` prints, e.g. "Mon Nov 23 2026 14:05:00 GMT+0000 (Coordinated Universal Time)". */
const JS_DATE_TEXT = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT[+-]\d{4} \(.+\)$/;

const services = loadHoBomServices();
let backend: HoBomBackendDouble;
let messageFind: RawClient;
let logFind: RawClient;
let lawFind: RawClient;
let patch: RawClient;
let save: RawClient;

beforeAll(async () => {
  backend = await startHoBomBackend({ apiKey: API_KEY });
  const client = (service: grpc.ServiceDefinition) => new RawClient(service, backend.address, { apiKey: API_KEY });
  messageFind = client(services.messageFind);
  logFind = client(services.logFind);
  lawFind = client(services.lawFind);
  patch = client(services.messagePatch);
  save = client(services.lawSave);
});

beforeEach(() => backend.reset());

afterAll(() => {
  for (const client of [messageFind, logFind, lawFind, patch, save]) client.close();
  backend.stop();
});

const findMessages = (eventType = "MESSAGE", status = "PENDING") => messageFind.call<FindResponse<MessagePayload>>(FIND, { eventType, status });
const findLogs = (eventType = "HOBOM_LOG", status = "PENDING") => logFind.call<FindResponse<HoBomLogPayload>>(LOG_FIND, { eventType, status });
const findLaws = (eventType = "LAW_CHANGED", status = "PENDING") => lawFind.call<FindResponse<LawChangedPayload>>(FIND, { eventType, status });

describe("for-hobom-backend Find", () => {
  test("returns every matching row in insertion order, with no limit, whatever the createdAt", async () => {
    // Created ever earlier: a backend sorting by createdAt would return them reversed.
    const base = Date.parse("2026-11-23T00:00:00Z");
    const added = Array.from({ length: 250 }, (_, n) =>
      backend.messages.add({ payload: messagePayload({ title: `m${n}` }), createdAt: new Date(base - n * 1000) }),
    );

    const { items } = await findMessages();

    expect(items.map((item) => item.eventId)).toEqual(added.map((row) => row.eventId));
  });

  test("returns only rows in the requested status", async () => {
    const pending = backend.messages.add({ payload: messagePayload() });
    backend.messages.add({ payload: messagePayload(), status: "SENT" });
    const failed = backend.messages.add({ payload: messagePayload(), status: "FAILED" });

    expect((await findMessages()).items.map((item) => item.eventId)).toEqual([pending.eventId]);
    expect((await findMessages("MESSAGE", "FAILED")).items.map((item) => item.eventId)).toEqual([failed.eventId]);
  });

  test("answers an unknown event type or status with an empty list, not an error", async () => {
    backend.messages.add({ payload: messagePayload() });

    expect((await findMessages("NO_SUCH_TYPE")).items).toEqual([]);
    expect((await findMessages("MESSAGE", "NO_SUCH_STATUS")).items).toEqual([]);
  });

  test("each Find reads only its own outbox", async () => {
    const message = backend.messages.add({ payload: messagePayload() });
    const log = backend.logs.add({ payload: logPayload() });
    const law = backend.laws.add({ payload: lawChangedPayload() });

    expect((await findMessages()).items.map((item) => item.eventId)).toEqual([message.eventId]);
    expect((await findMessages("HOBOM_LOG")).items).toEqual([]);
    expect((await findLogs()).items.map((item) => item.eventId)).toEqual([log.eventId]);
    expect((await findLaws()).items.map((item) => item.eventId)).toEqual([law.eventId]);
  });

  test("sends every payload field, the log payload included (field 12 of the log QueryResult)", async () => {
    backend.messages.add({ payload: messagePayload({ senderId: "" }) });
    backend.logs.add({ payload: logPayload() });
    backend.laws.add({ payload: lawChangedPayload() });

    expect((await findMessages()).items[0]?.payload).toEqual(messagePayload({ senderId: "" }));
    expect((await findLogs()).items[0]?.payload).toEqual(logPayload());
    expect((await findLaws()).items[0]?.payload).toEqual(lawChangedPayload());
  });

  test("a row with no payload comes back with payload null", async () => {
    backend.messages.add({ payload: null });

    const { items } = await findMessages();

    expect(items).toHaveLength(1);
    expect(items[0]?.payload).toBeNull();
  });

  test("writes dates as Date.toString() text, and null dates as empty strings", async () => {
    const createdAt = new Date("2026-11-23T14:05:00.123Z");
    backend.messages.add({ payload: messagePayload(), createdAt });

    const [item] = (await findMessages()).items;

    expect(item?.createdAt).toBe(createdAt.toString());
    expect(item?.createdAt).toMatch(JS_DATE_TEXT);
    expect(item?.updatedAt).toBe(createdAt.toString());
    expect(item?.sentAt).toBe("");
    expect(item?.failedAt).toBe("");
    expect(item?.lastError).toBe("");
  });

  test("new MESSAGE and HOBOM_LOG rows start at retryCount 1, LAW_CHANGED rows at 0", async () => {
    backend.messages.add({ payload: messagePayload() });
    backend.logs.add({ payload: logPayload() });
    backend.laws.add({ payload: lawChangedPayload() });

    expect((await findMessages()).items[0]?.retryCount).toBe(1);
    expect((await findLogs()).items[0]?.retryCount).toBe(1);
    expect((await findLaws()).items[0]?.retryCount).toBe(0);
  });

  test("rows added while the server runs are seen by the next Find", async () => {
    const first = backend.messages.add({ payload: messagePayload() });
    expect((await findMessages()).items).toHaveLength(1);

    const second = backend.messages.add({ payload: messagePayload() });

    expect((await findMessages()).items.map((item) => item.eventId)).toEqual([first.eventId, second.eventId]);
  });
});

describe("for-hobom-backend Patch", () => {
  test("MarkAsSent sets SENT and sentAt, and bumps the version", async () => {
    const row = backend.messages.add({ payload: messagePayload() });

    await patch.call(MARK_SENT, { eventId: row.eventId });

    expect(row.status).toBe("SENT");
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(row.version).toBe(2);
    const [item] = (await findMessages("MESSAGE", "SENT")).items;
    expect(item?.sentAt).toBe(row.sentAt?.toString() ?? "missing");
    expect(item?.updatedAt).toBe(row.updatedAt.toString());
    expect((await findMessages()).items).toEqual([]);
  });

  test("MarkAsFailed sets FAILED, failedAt and lastError, and adds one to retryCount", async () => {
    const row = backend.messages.add({ payload: messagePayload() });

    await patch.call(MARK_FAILED, { eventId: row.eventId, errorMessage: "kafka unavailable" });

    const [item] = (await findMessages("MESSAGE", "FAILED")).items;
    expect(item?.status).toBe("FAILED");
    expect(item?.lastError).toBe("kafka unavailable");
    expect(item?.retryCount).toBe(2);
    expect(item?.failedAt).toMatch(JS_DATE_TEXT);
    expect(item?.sentAt).toBe("");
  });

  test("marks HOBOM_LOG and LAW_CHANGED rows as well as MESSAGE rows", async () => {
    const log = backend.logs.add({ payload: logPayload() });
    const law = backend.laws.add({ payload: lawChangedPayload() });

    await patch.call(MARK_SENT, { eventId: log.eventId });
    await patch.call(MARK_FAILED, { eventId: law.eventId, errorMessage: "llm down" });

    expect(log.status).toBe("SENT");
    expect(law.status).toBe("FAILED");
    expect(law.lastError).toBe("llm down");
  });

  test("lets a SENT row become FAILED (no precondition)", async () => {
    const row = backend.messages.add({ payload: messagePayload() });
    await patch.call(MARK_SENT, { eventId: row.eventId });

    await patch.call(MARK_FAILED, { eventId: row.eventId, errorMessage: "late failure" });

    expect(row.status).toBe("FAILED");
  });

  test("accepts an unknown eventId silently", async () => {
    expect(await patch.call(MARK_SENT, { eventId: "no-such-event" })).toEqual({});
    expect(await patch.call(MARK_FAILED, { eventId: "no-such-event", errorMessage: "x" })).toEqual({});
  });
});

describe("for-hobom-backend SaveStudyMaterial", () => {
  const material: SaveStudyMaterialRequest = {
    diffId: "diff-7",
    summary: "Article 3 now allows 60 days",
    keyPoints: ["Article 3: 30 days -> 60 days"],
    quizzes: [{ type: "OX", question: "60 days?", answer: "O", explanation: "amended", choices: ["O", "X"] }],
  };

  test("stores every field it was sent", async () => {
    await save.call("SaveStudyMaterial", material);

    expect(backend.studyMaterials.get("diff-7")).toEqual(material);
    expect(backend.calls.requests<SaveStudyMaterialRequest>("SaveStudyMaterial")).toEqual([material]);
  });

  test("fails a second save of the same diffId with INTERNAL (unique index)", async () => {
    await save.call("SaveStudyMaterial", material);

    expect(await statusOf(save.call("SaveStudyMaterial", { ...material, summary: "again" }))).toBe(grpc.status.INTERNAL);
    expect(backend.studyMaterials.all()).toEqual([material]);
  });
});

describe("for-hobom-backend api key", () => {
  test("answers a wrong or missing x-api-key with UNKNOWN, on every service", async () => {
    const row = backend.messages.add({ payload: messagePayload() });
    const statuses = [
      await statusOf(messageFind.call(FIND, { eventType: "MESSAGE", status: "PENDING" }, { apiKey: "wrong" })),
      await statusOf(logFind.call(LOG_FIND, { eventType: "HOBOM_LOG", status: "PENDING" }, { apiKey: null })),
      await statusOf(patch.call(MARK_SENT, { eventId: row.eventId }, { apiKey: "wrong" })),
      await statusOf(save.call("SaveStudyMaterial", { diffId: "d" }, { apiKey: null })),
    ];

    expect(statuses).toEqual(Array(4).fill(grpc.status.UNKNOWN));
    expect(row.status).toBe("PENDING");
    expect(backend.studyMaterials.all()).toEqual([]);
  });
});
