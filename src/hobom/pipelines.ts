/** The seven pipelines of the HoBom relay, one row each (contracts, section 3). */
import type { Connections } from "../config/config.ts";
import { MappingError } from "../engine/errors.ts";
import { angelValue } from "./mappers/angel.ts";
import { angelLogItem, logItem } from "./mappers/log.ts";
import { messageValue } from "./mappers/message.ts";
import { spaceValue } from "./mappers/space.ts";
import type { FindSpec, HoBomPipeline, MarkSpec } from "./pipeline.ts";
import type { AngelEventPayload, HoBomLogPayload, MessagePayload, SpaceEventPayload } from "./wire-types.ts";

const FIND = "FindOutboxByEventTypeAndStatusUseCase";
const FIND_LOG = "FindLogOutboxByEventTypeAndStatusUseCase";

const MAIN_MARK: MarkSpec = { connection: "main", service: "messagePatch" };
const SPACE_MARK: MarkSpec = { connection: "space", service: "spacePatch" };
const ANGEL_MARK: MarkSpec = { connection: "angel", service: "angelPatch" };

/** The angel backend returns at most this many rows per Find. */
export const ANGEL_PAGE_LIMIT = 200;

/** The angel event types that become `hobom.angel-events` records, asked in this order. */
export const ANGEL_EVENT_TYPES = [
  "ADOPTION_APPROVED",
  "FOSTER_APPROVED",
  "STAFF_PROMOTION_APPROVED",
  "SHELTER_VERIFICATION_APPROVED",
  "FOSTER_TERMINATED",
] as const;

const angelFind = (eventTypes: readonly string[]): FindSpec => ({
  connection: "angel",
  service: "angelFind",
  method: FIND,
  eventTypes,
  pageLimit: ANGEL_PAGE_LIMIT,
});

function accessLogOf(payload: AngelEventPayload) {
  if (payload.kind !== "access_log" || !payload.access_log) {
    throw new MappingError(`angel HOBOM_LOG row carries ${payload.kind ?? "no event"}, not an access log`);
  }
  return payload.access_log;
}

/** Every pipeline, in the order they start. */
export const PIPELINES: readonly HoBomPipeline[] = Object.freeze([
  {
    name: "message",
    kind: "event",
    needs: ["main"],
    find: { connection: "main", service: "messageFind", method: FIND, eventTypes: ["MESSAGE"] },
    mark: MAIN_MARK,
    topic: "messages",
    dlqPrefix: "dlq:menu:",
    source: "for-hobom-backend",
    toValue: (row, now) => messageValue(row.payload as MessagePayload, now),
  },
  {
    name: "log",
    kind: "log",
    needs: ["main"],
    find: { connection: "main", service: "logFind", method: FIND_LOG, eventTypes: ["HOBOM_LOG"] },
    mark: MAIN_MARK,
    topic: "logs",
    keyPrefix: "hobom-log",
    dlqPrefix: "dlq:log:",
    source: "for-hobom-backend",
    toItem: (row) => logItem(row.payload as HoBomLogPayload),
  },
  {
    name: "space",
    kind: "event",
    needs: ["space"],
    find: { connection: "space", service: "spaceFind", method: FIND, eventTypes: ["SPACE_EVENT"] },
    mark: SPACE_MARK,
    topic: "spaceEvents",
    dlqPrefix: "dlq:space:",
    source: "hobom-space-backend",
    toValue: (row) => spaceValue(row.payload as SpaceEventPayload),
  },
  {
    name: "space-log",
    kind: "log",
    needs: ["space"],
    find: { connection: "space", service: "logFind", method: FIND_LOG, eventTypes: ["SPACE_LOG"] },
    mark: SPACE_MARK,
    topic: "logs",
    keyPrefix: "space-log",
    dlqPrefix: "dlq:space-log:",
    source: "hobom-space-backend",
    toItem: (row) => logItem(row.payload as HoBomLogPayload),
  },
  {
    name: "law",
    kind: "law",
    needs: ["main", "llm"],
    find: { connection: "main", service: "lawFind", method: FIND, eventTypes: ["LAW_CHANGED"] },
    mark: MAIN_MARK,
    dlqPrefix: "dlq:law:",
    source: "for-hobom-backend",
  },
  {
    name: "angel",
    kind: "event",
    needs: ["angel"],
    find: angelFind(ANGEL_EVENT_TYPES),
    mark: ANGEL_MARK,
    topic: "angelEvents",
    eventTypeInValue: true,
    dlqPrefix: "dlq:angel:",
    source: "for-hobom-angel-backend",
    toValue: (row) => angelValue(row.eventType, row.payload as AngelEventPayload),
  },
  {
    name: "angel-log",
    kind: "log",
    needs: ["angel"],
    find: angelFind(["HOBOM_LOG"]),
    mark: ANGEL_MARK,
    topic: "logs",
    keyPrefix: "angel-log",
    dlqPrefix: "dlq:angel-log:",
    source: "for-hobom-angel-backend",
    toItem: (row) => angelLogItem(accessLogOf(row.payload as AngelEventPayload)),
  },
] satisfies HoBomPipeline[]);

/** The pipelines whose connections are all configured. */
export function enabledPipelines(connections: Connections): HoBomPipeline[] {
  return PIPELINES.filter((pipeline) => pipeline.needs.every((name) => connections[name] !== undefined));
}

/** The pipeline that owns a DLQ key prefix, e.g. `dlq:menu:` → message. */
export function pipelineByDlqPrefix(prefix: string): HoBomPipeline | undefined {
  return PIPELINES.find((pipeline) => pipeline.dlqPrefix === prefix);
}
