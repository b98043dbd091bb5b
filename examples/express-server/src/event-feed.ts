import type { CloudEvent, EventPublisher } from '@stockroom/core';

/** Receives each event the relay delivered. */
export type EventListener = (event: CloudEvent) => void;

/**
 * The live feed behind `GET /api/v1/events/stream`: every event the outbox relay delivers to
 * the publisher, in outbox order, fanned out to the connected streams. It keeps the last
 * `keep` events so a stream that reconnects with `Last-Event-ID` (or a new dashboard) catches up.
 *
 * Events appear once delivered (the relay runs every second), only on the instance whose relay
 * delivered them; with several instances, point the dashboard at one, or read the events from Kafka.
 */
export class EventFeed {
  private readonly listeners = new Set<EventListener>();
  private readonly recentEvents: CloudEvent[] = [];

  constructor(private readonly keep = 100) {}

  /** A publisher that publishes through `inner`, then (once it succeeded) feeds the events here. */
  wrap(inner: EventPublisher): EventPublisher {
    const publish = async (events: readonly CloudEvent[]) => {
      await inner.publish(events);
      this.push(events);
    };
    return {
      publish,
      ...(inner.ping ? { ping: () => inner.ping!() } : {}),
      ...(inner.close ? { close: () => inner.close!() } : {}),
    };
  }

  /** Feeds delivered events to every listener. */
  push(events: readonly CloudEvent[]): void {
    for (const event of events) {
      this.recentEvents.push(event);
      if (this.recentEvents.length > this.keep) this.recentEvents.shift();
      for (const listener of this.listeners) listener(event);
    }
  }

  /** The kept events after the one with id `afterId` (all kept ones when it is unknown or absent). */
  recent(afterId?: string): CloudEvent[] {
    if (afterId === undefined) return [...this.recentEvents];
    const index = this.recentEvents.findIndex((event) => event.id === afterId);
    return index === -1 ? [...this.recentEvents] : this.recentEvents.slice(index + 1);
  }

  /** Starts listening; returns the function that stops. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many streams listen. */
  get subscribers(): number {
    return this.listeners.size;
  }
}
