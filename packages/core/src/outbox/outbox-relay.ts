import type { EventPublisher } from '../ports/event-publisher.js';
import type { Logger } from '../ports/logger.js';
import type { StockStore } from '../ports/stock-store.js';

/** Options of the outbox relay. */
export interface OutboxRelayOptions {
  readonly store: StockStore;
  readonly publisher: EventPublisher;
  readonly logger: Logger;
  /** Events per publish call. @default 500 */
  readonly batchSize?: number;
  /**
   * `locked`: the batch stays claimed in the store transaction while it is published, so a
   * second relay skips it (needs `capabilities.skipLocked` to help; the default).
   * `unlocked`: claim in one short transaction, publish with no transaction open, delete in a
   * second one. No store lock is held during the publish — choose it for SQLite, whose one
   * write lock would otherwise stall every writer for the length of a Kafka send — and run one
   * relay at a time (a job lease), or a batch may be published twice (still at-least-once).
   * @default 'locked'
   */
  readonly mode?: 'locked' | 'unlocked';
}

/** What one relay pass did. */
export interface RelayResult {
  /** Events delivered. */
  readonly published: number;
  /** Events that stay in the outbox after a failed publish. */
  readonly failed: number;
}

/**
 * Drains the transactional outbox to the publisher: oldest first, one batch per transaction.
 * The batch stays claimed (locked) while it is published and is deleted only when the publisher
 * accepted it, so a crash or a failed publish leaves the events for the next pass: delivery is
 * at-least-once, with the event ids stable across attempts. Run one relay at a time per store
 * (the server holds a job lease) so one SKU's events keep their order.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  /** Totals since start, for metrics. */
  readonly stats = { published: 0, failedAttempts: 0 };

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
  }

  /** Publishes one batch. */
  async runOnce(): Promise<RelayResult> {
    const result =
      this.options.mode === 'unlocked' ? await this.runUnlocked() : await this.runLocked();
    this.stats.published += result.published;
    return result;
  }

  private async runUnlocked(): Promise<RelayResult> {
    const { store, publisher, logger } = this.options;
    const entries = await store.transaction((transaction) =>
      transaction.outbox.claim(this.batchSize),
    );
    if (entries.length === 0) return { published: 0, failed: 0 };
    const ids = entries.map((entry) => entry.event.id);
    try {
      await publisher.publish(entries.map((entry) => entry.event));
    } catch (error) {
      logger.warn(
        { err: error, events: ids.length },
        'outbox publish failed; events stay in the outbox',
      );
      this.stats.failedAttempts += 1;
      await store.transaction((transaction) => transaction.outbox.markFailed(ids));
      return { published: 0, failed: ids.length };
    }
    await store.transaction((transaction) => transaction.outbox.markDelivered(ids));
    return { published: ids.length, failed: 0 };
  }

  private async runLocked(): Promise<RelayResult> {
    let failed = 0;
    const published = await this.options.store.transaction(async (transaction) => {
      const entries = await transaction.outbox.claim(this.batchSize);
      if (entries.length === 0) return 0;
      const ids = entries.map((entry) => entry.event.id);
      try {
        await this.options.publisher.publish(entries.map((entry) => entry.event));
      } catch (error) {
        this.options.logger.warn(
          { err: error, events: ids.length },
          'outbox publish failed; events stay in the outbox',
        );
        this.stats.failedAttempts += 1;
        await transaction.outbox.markFailed(ids);
        failed = ids.length;
        return 0;
      }
      await transaction.outbox.markDelivered(ids);
      return ids.length;
    });
    return { published, failed };
  }

  /** Publishes batches until the outbox is empty or a publish fails; returns the total delivered. */
  async drain(maxBatches = Number.POSITIVE_INFINITY): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < maxBatches; batch += 1) {
      const result = await this.runOnce();
      total += result.published;
      if (result.published === 0 || result.failed > 0) break;
    }
    return total;
  }
}
