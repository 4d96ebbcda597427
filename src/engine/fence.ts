/**
 * The check a pipeline makes before it acts on events it was handed: that this instance still
 * owns the pipeline. An owner that paused (GC, SIGSTOP, a slow disk) past its lease may find
 * another instance has taken over; it must then stop before delivering or settling anything.
 */

export interface Fence {
  /** Cheap, local: the lease has not expired by this instance's clock. Checked before each settle. */
  isValid(): boolean;
  /** One round trip to the lease store: this instance still holds the lease. Checked before each delivery. */
  assertHeld(): Promise<void>;
}

/** A fence that always passes: a single instance, or a test of one cycle. */
export const OPEN_FENCE: Fence = Object.freeze({ isValid: () => true, assertHeld: async () => {} });
