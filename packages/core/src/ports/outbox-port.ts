import type { CloudEvent } from '../domain/events.js';

/** A stored outbox event; `position` orders the outbox (assigned by the store, increasing). */
export interface OutboxEntry {
  readonly position: string;
  readonly event: CloudEvent;
  readonly attempts: number;
}

/** The transactional outbox. */
export interface OutboxRows {
  /**
   * Appends events, in order, in the caller's transaction.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  append(events: readonly CloudEvent[]): Promise<void>;
  /**
   * Up to `limit` undelivered entries, oldest first, locked until the transaction ends; with
   * `capabilities.skipLocked`, entries locked by another transaction are skipped.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  claim(limit: number): Promise<OutboxEntry[]>;
  /**
   * Removes delivered entries by event id (ids not in the outbox are ignored).
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  markDelivered(eventIds: readonly string[]): Promise<void>;
  /**
   * Counts a failed delivery attempt on each entry.
   * @throws STORE_UNAVAILABLE, VERSION_CONFLICT (retryable)
   */
  markFailed(eventIds: readonly string[]): Promise<void>;
}

/** The outbox outside transactions. */
export interface OutboxReads {
  /**
   * How many outbox entries wait for delivery, and the oldest one's event time.
   * @throws STORE_UNAVAILABLE
   */
  outboxLag(): Promise<{ readonly pending: number; readonly oldest: Date | null }>;
}
