import type { CloudEvent } from '../domain/events.js';
import type { EventPublisher } from '../ports/event-publisher.js';

/** Keeps published events in an array; `failNext` makes the next publishes throw (for tests). */
export class MemoryEventPublisher implements EventPublisher {
  readonly events: CloudEvent[] = [];
  private failures = 0;

  async publish(events: readonly CloudEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('MemoryEventPublisher: simulated delivery failure');
    }
    this.events.push(...events);
  }

  /** Makes the next `count` publish calls fail. */
  failNext(count = 1): void {
    this.failures += count;
  }

  /** Events of one type, in delivery order. */
  ofType(type: CloudEvent['type']): CloudEvent[] {
    return this.events.filter((event) => event.type === type);
  }
}
