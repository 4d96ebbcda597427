/**
 * A backend outbox in memory, as the gRPC outbox source sees it through its OutboxClient: rows by
 * event type, Find answering with the PENDING ones in order, marks that may fail or wait.
 */
import type { OutboxRow } from "../../../../src/hobom/wire-types.ts";
import type { PendingRows } from "../../../../src/sources/grpc-outbox/find-decoder.ts";
import type { OutboxClient } from "../../../../src/sources/grpc-outbox/outbox-client.ts";
import type { Timeline } from "../../engine/fakes.ts";

type Row = OutboxRow<unknown>;
type Status = "PENDING" | "SENT" | "FAILED";

export class FakeOutbox implements OutboxClient {
  readonly status = new Map<string, Status>();
  readonly failedReasons = new Map<string, string>();
  /** Thrown by markSent for these event ids (once each, unless `sticky`). */
  markSentErrors = new Map<string, { error: unknown; sticky?: boolean }>();
  markFailedError: unknown;
  findError: unknown;
  /** When set, every markSent waits for it before it answers. */
  markSentHold: Promise<void> | undefined;
  /** Every `decode(start, end)` asked of a Find's rows, with the Find's event type. */
  readonly decoded: [eventType: string, start: number, end: number][] = [];
  /** The signal each Find was given. */
  readonly findSignals: (AbortSignal | undefined)[] = [];
  private readonly rows: Row[] = [];

  constructor(readonly timeline: Timeline = []) {}

  add(...rows: Row[]): this {
    for (const row of rows) {
      this.rows.push(row);
      this.status.set(row.eventId, "PENDING");
    }
    return this;
  }

  async findPending(eventType: string, signal?: AbortSignal): Promise<PendingRows> {
    this.timeline.push(`find:${eventType}`);
    this.findSignals.push(signal);
    if (this.findError !== undefined) throw this.findError;
    const pending = this.rows.filter((row) => row.eventType === eventType && this.status.get(row.eventId) === "PENDING");
    return {
      count: pending.length,
      decode: (start, end) => {
        this.decoded.push([eventType, start, end]);
        return pending.slice(start, end);
      },
    };
  }

  async markSent(eventId: string): Promise<void> {
    await this.markSentHold;
    const failure = this.markSentErrors.get(eventId);
    if (failure) {
      if (!failure.sticky) this.markSentErrors.delete(eventId);
      this.timeline.push(`markSent-failed:${eventId}`);
      throw failure.error;
    }
    this.timeline.push(`markSent:${eventId}`);
    this.status.set(eventId, "SENT");
  }

  async markFailed(eventId: string, reason: string): Promise<void> {
    if (this.markFailedError !== undefined) {
      this.timeline.push(`markFailed-failed:${eventId}`);
      throw this.markFailedError;
    }
    this.timeline.push(`markFailed:${eventId}`);
    this.status.set(eventId, "FAILED");
    this.failedReasons.set(eventId, reason);
  }

  statusOf(eventId: string): Status | undefined {
    return this.status.get(eventId);
  }
}
