import { describe, expect, test } from "bun:test";
import { ANGEL_SERVICE_TYPE, angelLogItem, logItem } from "../../../../src/hobom/mappers/log.ts";
import type { AccessLog } from "../../../../src/hobom/wire-types.ts";
import { accessLog, logDetail, logPayload } from "../payloads.ts";

const access = (overrides: Partial<AccessLog> = {}): AccessLog => accessLog(overrides).access_log as AccessLog;

describe("logItem (log and space-log)", () => {
  test("writes the log command with every top-level field and the whole payload repeated", () => {
    const payload = logPayload({ payload: logDetail({ query: { page: "2" }, headers: { "user-agent": "curl" } }) });
    expect(JSON.stringify(logItem(payload))).toBe(
      '{"serviceType":"HOBOM_BACKEND","level":"INFO","traceId":"trace-1","message":"request handled","httpMethod":"GET",' +
        '"path":"/api/menus","statusCode":200,"host":"api.hobom.kr","userId":"user-1",' +
        '"payload":{"traceId":"trace-1","level":"INFO","method":"GET","path":"/api/menus","statusCode":200,"host":"api.hobom.kr",' +
        '"userId":"user-1","payload":{"query":{"page":"2"},"headers":{"user-agent":"curl"}},"serviceType":"HOBOM_BACKEND","message":"request handled"}}',
    );
  });

  test("drops empty strings, zeros and empty maps from the repeated payload but keeps them at the top level", () => {
    const payload = logPayload({ userId: "", statusCode: 0, host: "", payload: logDetail({ body: { name: "" }, error: "" }) });
    expect(JSON.stringify(logItem(payload))).toBe(
      '{"serviceType":"HOBOM_BACKEND","level":"INFO","traceId":"trace-1","message":"request handled","httpMethod":"GET",' +
        '"path":"/api/menus","statusCode":0,"host":"","userId":"",' +
        '"payload":{"traceId":"trace-1","level":"INFO","method":"GET","path":"/api/menus","payload":{"body":{"name":""}},' +
        '"serviceType":"HOBOM_BACKEND","message":"request handled"}}',
    );
  });

  test("writes the detail's maps with their keys sorted, as Go's encoding/json writes maps", () => {
    const payload = logPayload({ payload: logDetail({ query: { z: "1", a: "2" }, headers: { "x-trace": "t", accept: "*/*" } }) });
    const detail = (logItem(payload).payload as Record<string, unknown>).payload;
    expect(JSON.stringify(detail)).toBe('{"query":{"a":"2","z":"1"},"headers":{"accept":"*/*","x-trace":"t"}}');
  });

  test("drops a detail whose maps are all empty from the repeated payload", () => {
    const item = logItem(logPayload({ payload: logDetail() }));
    expect(Object.keys(item.payload as object)).not.toContain("payload");
  });

  test("keeps the detail's error text", () => {
    const item = logItem(logPayload({ payload: logDetail({ error: "boom" }) }));
    expect(JSON.stringify((item.payload as Record<string, unknown>).payload)).toBe('{"error":"boom"}');
  });

  test("leaves payload out altogether when nothing remains, and still writes path", () => {
    const empty = { traceId: "", level: "", method: "", path: "", statusCode: 0, host: "", userId: "", payload: null, serviceType: "", message: "" };
    expect(JSON.stringify(logItem(empty))).toBe(
      '{"serviceType":"","level":"","traceId":"","message":"","httpMethod":"","path":"","statusCode":0,"host":"","userId":""}',
    );
  });
});

describe("angelLogItem (angel-log)", () => {
  test("stamps serviceType HOBOM_ANGEL and sends the meta map, keys sorted as Go writes maps, as the payload", () => {
    expect(ANGEL_SERVICE_TYPE).toBe("HOBOM_ANGEL");
    expect(JSON.stringify(angelLogItem(access({ meta: { ip: "10.0.0.1", agent: "ios" } })))).toBe(
      '{"serviceType":"HOBOM_ANGEL","level":"INFO","traceId":"trace-a","message":"created","httpMethod":"POST",' +
        '"path":"/angel/adoptions","statusCode":201,"host":"angel.hobom.kr","userId":"user-8","payload":{"agent":"ios","ip":"10.0.0.1"}}',
    );
  });

  test("leaves payload out when meta is empty and keeps empty top-level fields", () => {
    expect(JSON.stringify(angelLogItem(access({ meta: {}, user_id: "", status_code: 0 })))).toBe(
      '{"serviceType":"HOBOM_ANGEL","level":"INFO","traceId":"trace-a","message":"created","httpMethod":"POST",' +
        '"path":"/angel/adoptions","statusCode":0,"host":"angel.hobom.kr","userId":""}',
    );
  });
});
