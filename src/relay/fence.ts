/**
 * The check a pipeline makes before it acts on rows it fetched: that this instance still owns the
 * pipeline. An owner that paused (GC, SIGSTOP, a slow disk) past its lease may find another
 * instance has taken over; it must then stop before sending or marking anything.
 */
import { RelayError } from "../errors.ts";

/** This instance no longer owns the pipeline. Not retriable here: the cycle stops. */
export class LeaseLostError extends RelayError {
  constructor(pipeline: string) {
    super(`lease of pipeline ${pipeline} lost; another instance owns it now`, { retriable: false });
  }
}

export interface Fence {
  /** Cheap, local: the lease has not expired by this instance's clock. Checked before each mark. */
  isValid(): boolean;
  /** One Redis round trip: this instance still holds the lease. Checked before each Kafka send. */
  assertHeld(): Promise<void>;
}

/** A fence that always passes: a single instance, or a test of one cycle. */
export const OPEN_FENCE: Fence = Object.freeze({ isValid: () => true, assertHeld: async () => {} });
