import type { CloudEvent, EventPublisher, Logger } from '@stockroom/core';

/** A logger whose destination can be flushed (pino's). */
export type FlushableLogger = Logger & {
  flush?(callback?: (error?: Error | null) => void): void;
};

/**
 * The publisher used without Kafka: the log is the event sink. Each event is one line at info
 * (`{"event":{…},"msg":"event"}`), then a summary of the batch at debug.
 *
 * Delivery is as durable as the log: `publish` resolves — and the relay marks the events
 * delivered — only after the logger's destination has flushed the lines to the operating system
 * (pino's `flush`). A process killed before that leaves the events in the outbox, and they are
 * logged again on the next start (at least once). What happens after the write (a log shipper
 * that drops lines, a disk that fails) is beyond the server. With the log level above `info`
 * the event lines are not written at all (the events still leave the outbox). For delivery to
 * other systems, use Kafka (`KAFKA_BROKERS`).
 */
export class LoggingEventPublisher implements EventPublisher {
  constructor(private readonly logger: FlushableLogger) {}

  async publish(events: readonly CloudEvent[]): Promise<void> {
    const types: Record<string, number> = {};
    for (const event of events) {
      types[event.type] = (types[event.type] ?? 0) + 1;
      this.logger.info(
        { event: { id: event.id, type: event.type, subject: event.subject, data: event.data } },
        'event',
      );
    }
    this.logger.debug(
      { published: events.length, types },
      'events logged (set KAFKA_BROKERS to publish to Kafka)',
    );
    await this.flushed();
  }

  async ping(): Promise<void> {}

  /** Resolves once the destination has written every line so far; rejects if it failed. */
  private flushed(): Promise<void> {
    const flush = this.logger.flush?.bind(this.logger);
    if (!flush) return Promise.resolve();
    return new Promise((resolve, reject) => {
      flush((error) => (error ? reject(error) : resolve()));
    });
  }
}
