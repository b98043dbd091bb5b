import type { CloudEvent, EventPublisher, Logger } from '@stockroom/core';

/**
 * The publisher used without Kafka: every delivered batch is logged (a summary at info, each
 * event at debug), so the outbox still drains and a user can watch the events go by.
 */
export class LoggingEventPublisher implements EventPublisher {
  constructor(private readonly logger: Logger) {}

  async publish(events: readonly CloudEvent[]): Promise<void> {
    const types: Record<string, number> = {};
    for (const event of events) {
      types[event.type] = (types[event.type] ?? 0) + 1;
      this.logger.debug(
        { event: { id: event.id, type: event.type, subject: event.subject, data: event.data } },
        'event',
      );
    }
    this.logger.info(
      { published: events.length, types },
      'events logged (set KAFKA_BROKERS to publish to Kafka)',
    );
  }

  async ping(): Promise<void> {}
}
