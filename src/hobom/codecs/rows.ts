/** What every HoBom codec needs of an event: its outbox row, and the row's payload when it has a usable one. */
import { MappingError } from "../../engine/errors.ts";
import type { SourceEvent } from "../../engine/ports.ts";
import type { OutboxRow } from "../wire-types.ts";

/** The event's outbox row, as the gRPC outbox source decoded it. */
export function rowOf(event: SourceEvent): OutboxRow<unknown> {
  return event.record as unknown as OutboxRow<unknown>;
}

/** What the DLQ keeps for a row that has no usable payload: the row itself, as JSON. */
export function rawRow(event: SourceEvent): string {
  return JSON.stringify(event.record);
}

/**
 * The mapper's result for the event's row, or a MappingError saying why there is none: the
 * backend sent no payload, or the mapper refused it (any other throw is wrapped, with its cause).
 */
export function mapRow<T>(event: SourceEvent, map: (row: OutboxRow<unknown> & { payload: unknown }) => T): T | MappingError {
  const row = rowOf(event);
  if (row.payload === null || row.payload === undefined) return new MappingError(`${event.type} row ${event.id} has no payload`);
  try {
    return map(row as OutboxRow<unknown> & { payload: unknown });
  } catch (error) {
    if (error instanceof MappingError) return error;
    return new MappingError(`${event.type} row ${event.id} cannot be mapped: ${(error as Error).message ?? error}`, { cause: error });
  }
}
