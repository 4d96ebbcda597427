/** log, space-log and angel-log pipelines: the items of the JSON array sent once per cycle. */
import type { AccessLog, HoBomLogPayload } from "../wire-types.ts";
import { sortedMap, withoutEmpty } from "./json.ts";

/** The service type the Go processor stamped on angel access logs. */
export const ANGEL_SERVICE_TYPE = "HOBOM_ANGEL";

/**
 * One log command from a HOBOM_LOG or SPACE_LOG row. Every top-level field is present; `payload`
 * repeats the whole log payload with empty strings, zeros and empty maps dropped, and is itself
 * left out when nothing remains. Map entries are in sorted key order, as Go wrote them.
 */
export function logItem(payload: HoBomLogPayload): Record<string, unknown> {
  const detail = payload.payload
    ? withoutEmpty({
        query: sortedMap(payload.payload.query ?? {}),
        body: sortedMap(payload.payload.body ?? {}),
        headers: sortedMap(payload.payload.headers ?? {}),
        error: payload.payload.error,
      })
    : {};
  const repeated = withoutEmpty({
    traceId: payload.traceId,
    level: payload.level,
    method: payload.method,
    path: payload.path,
    statusCode: payload.statusCode,
    host: payload.host,
    userId: payload.userId,
    payload: detail,
    serviceType: payload.serviceType,
    message: payload.message,
  });
  return logCommand(payload.serviceType, {
    level: payload.level,
    traceId: payload.traceId,
    message: payload.message,
    method: payload.method,
    path: payload.path,
    statusCode: payload.statusCode,
    host: payload.host,
    userId: payload.userId,
    payload: repeated,
  });
}

/** One log command from an angel HOBOM_LOG row: the access log, with `meta` as its payload. */
export function angelLogItem(access: AccessLog): Record<string, unknown> {
  return logCommand(ANGEL_SERVICE_TYPE, {
    level: access.level,
    traceId: access.trace_id,
    message: access.message,
    method: access.method,
    path: access.path,
    statusCode: access.status_code,
    host: access.host,
    userId: access.user_id,
    payload: sortedMap(access.meta ?? {}),
  });
}

interface LogFields {
  level: string;
  traceId: string;
  message: string;
  method: string;
  path: string;
  statusCode: number;
  host: string;
  userId: string;
  payload: Record<string, unknown>;
}

function logCommand(serviceType: string, fields: LogFields): Record<string, unknown> {
  const item: Record<string, unknown> = {
    serviceType,
    level: fields.level,
    traceId: fields.traceId,
    message: fields.message,
    httpMethod: fields.method,
    path: fields.path,
    statusCode: fields.statusCode,
    host: fields.host,
    userId: fields.userId,
  };
  if (Object.keys(fields.payload).length > 0) item.payload = fields.payload;
  return item;
}
