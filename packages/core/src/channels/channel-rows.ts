import type { WriteOutcome } from '../ports/stock-store.js';
import type { SalesChannel } from './sales-channel.js';

/**
 * Sales channels inside a store transaction (`StockTransaction.channels`). Channels are few and
 * small: the core lists them all and keeps them in process (see `ChannelDirectory`).
 */
export interface ChannelRows {
  /** One channel, or null. With `lock`, locked until the transaction ends. */
  get(id: string, options?: { readonly lock?: boolean }): Promise<SalesChannel | null>;
  /** Every channel, sorted by id. */
  list(): Promise<SalesChannel[]>;
  /** Inserts; `{ applied: false }` when the id exists. */
  insert(channel: SalesChannel): Promise<WriteOutcome>;
  /** Stores `next` where the stored version equals `expectedVersion`; `{ applied: false }` otherwise. */
  update(next: SalesChannel, expectedVersion: number): Promise<WriteOutcome>;
  /** Deletes where the stored version equals `expectedVersion`; `{ applied: false }` otherwise. */
  remove(id: string, expectedVersion: number): Promise<WriteOutcome>;
}
