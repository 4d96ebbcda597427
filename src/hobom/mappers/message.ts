/** message pipeline: one `hobom.messages` value per MESSAGE row. */
import type { MessagePayload } from "../wire-types.ts";
import { rfc3339Seconds } from "./json.ts";

/**
 * `{"type","title","body","recipient","senderId","sentAt"}`, in that order; `senderId` is always
 * present (may be ""), `sentAt` is the processing time, and `payload.id` is not forwarded.
 */
export function messageValue(payload: MessagePayload, now: Date): Record<string, unknown> {
  return {
    type: payload.type,
    title: payload.title,
    body: payload.body,
    recipient: payload.recipient,
    senderId: payload.senderId ?? "",
    sentAt: rfc3339Seconds(now),
  };
}
