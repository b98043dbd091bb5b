import type { CloudEvent } from '../domain/events.js';

/**
 * Delivers events to the outside world. Used only by the outbox relay.
 * Contract: when `publish` resolves, every event was durably accepted; when it throws, the relay
 * keeps them all in the outbox and tries again (so delivery is at-least-once with stable ids).
 * Events of one SKU (`subject`) must be delivered in the order given.
 */
export interface EventPublisher {
  publish(events: readonly CloudEvent[]): Promise<void>;
  /** Checks the publisher can deliver now (for readiness probes). */
  ping?(): Promise<void>;
  close?(): Promise<void>;
}
