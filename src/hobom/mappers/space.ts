/** space pipeline: one `hobom.space-events` value per SPACE_EVENT row. */
import type { SpaceEventPayload } from "../wire-types.ts";
import { int64Json } from "./json.ts";

/** Every field present; `pageId` is a JSON number that keeps all 64 bits. */
export function spaceValue(payload: SpaceEventPayload): Record<string, unknown> {
  return {
    entityType: payload.entityType,
    action: payload.action,
    spaceKey: payload.spaceKey,
    pageId: int64Json(payload.pageId),
    title: payload.title,
    actorId: payload.actorId,
  };
}
