import { randomUUID } from 'node:crypto';
import type { AvailabilityCache } from '../ports/availability-cache.js';
import type { StockStore, StockTransaction, TransactionOptions } from '../ports/stock-store.js';
import type { CommitEffects } from './service-context.js';

/** Carried by the transaction a `transact` attempt hands to its work (kept by spreads). */
const ATTEMPT = Symbol.for('stockroom.transactAttempt');

/** What one transaction attempt flushed, and its pending mark once taken. */
interface Attempt {
  readonly flushed: CommitEffects[];
  /** Set once the pending marks are taken (just before COMMIT). */
  pending?: { readonly writer: string; readonly skus: string[]; readonly done: () => void };
}

type Tagged = StockTransaction & { readonly [ATTEMPT]?: Attempt };

/**
 * Records a flushed change set's effects on the transaction attempt running it (a no-op for a
 * transaction not begun by {@link PendingWrites.run}).
 */
export function recordFlush(transaction: StockTransaction, effects: CommitEffects): void {
  (transaction as Tagged)[ATTEMPT]?.flushed.push(effects);
}

/** What {@link PendingWrites} works with (the cache already wrapped to never throw). */
export interface PendingWritesOptions {
  readonly cache: AvailabilityCache | undefined;
  readonly cacheTtlMs: number;
  /** How long a shared pending mark lives when its writer never clears it. */
  readonly markTtlMs: number;
  /** How long a check waits for a write of this process to finish before reading the store. */
  readonly waitMs: number;
}

/**
 * Closes the window between a write's COMMIT and its cache update (DESIGN invariant 8: a check
 * that starts after a commit never answers older than it).
 *
 * Every stock write runs through {@link PendingWrites.run}: its change sets record what they
 * flushed on the attempt; just before COMMIT the touched SKUs are marked pending — in this
 * process (checks of those SKUs wait for the write to finish, at most `waitMs`, then read the
 * store) and, with a shared cache, in the cache (other processes' lookups answer a `pending`
 * miss) — and right after COMMIT the committed values are written through (`refill`, clearing
 * the marks). A failed attempt invalidates its SKUs blind and clears its marks.
 */
export class PendingWrites {
  private readonly writerPrefix = randomUUID();
  private writers = 0;
  /** Writes of this process between their pending mark and their cache update, by SKU. */
  private readonly local = new Map<string, Set<Promise<void>>>();
  /** The `values` arrays whose cache update was done here (`afterCommit` skips them). */
  private readonly applied = new WeakSet<object>();

  constructor(private readonly options: PendingWritesOptions) {}

  /** Runs one transaction attempt with the pending marks and the write-through at commit. */
  async run<T>(
    store: StockStore,
    work: (transaction: StockTransaction) => Promise<T>,
    options: TransactionOptions | undefined,
  ): Promise<T> {
    if (!this.options.cache) return store.transaction(work, options);
    const attempt: Attempt = { flushed: [] };
    try {
      const result = await store.transaction(async (transaction) => {
        const value = await work({ ...transaction, [ATTEMPT]: attempt } as Tagged);
        await this.begin(attempt);
        return value;
      }, options);
      await this.complete(attempt);
      return result;
    } catch (error) {
      await this.abandon(attempt);
      throw error;
    }
  }

  /** Whether the cache update of these effects was already done when they committed. */
  wasApplied(effects: CommitEffects): boolean {
    return effects.values !== undefined && this.applied.has(effects.values);
  }

  /**
   * Waits until no write of this process is between its pending mark and its cache update for
   * the SKU. @returns false when that took longer than `waitMs` (the caller reads the store)
   */
  async settled(sku: string): Promise<boolean> {
    const pending = this.local.get(sku);
    if (!pending) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.waitMs);
    });
    try {
      return await Promise.race([Promise.all(pending).then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async begin(attempt: Attempt): Promise<void> {
    const skus = [...new Set(attempt.flushed.flatMap((effects) => effects.touched))];
    if (skus.length === 0) return;
    this.writers += 1;
    const writer = `${this.writerPrefix}:${this.writers}`;
    let done = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    for (const sku of skus) {
      const set = this.local.get(sku);
      if (set) set.add(finished);
      else this.local.set(sku, new Set([finished]));
    }
    attempt.pending = {
      writer,
      skus,
      done: () => {
        for (const sku of skus) {
          const set = this.local.get(sku);
          set?.delete(finished);
          if (set?.size === 0) this.local.delete(sku);
        }
        done();
      },
    };
    await this.options.cache?.markPending?.(skus, writer, this.options.markTtlMs);
  }

  private async complete(attempt: Attempt): Promise<void> {
    const pending = attempt.pending;
    if (!pending) return;
    const cache = this.options.cache!;
    try {
      const jobs: Promise<void>[] = [];
      for (const effects of attempt.flushed) {
        const values = effects.values ?? [];
        const written = new Set(values.map((value) => value.sku));
        const blind = effects.touched.filter((sku) => !written.has(sku));
        if (values.length > 0)
          jobs.push(cache.refill(values, this.options.cacheTtlMs, pending.writer));
        if (blind.length > 0) jobs.push(cache.delete(blind, pending.writer));
        if (effects.values) this.applied.add(effects.values);
      }
      await Promise.all(jobs);
    } finally {
      pending.done();
    }
  }

  private async abandon(attempt: Attempt): Promise<void> {
    const pending = attempt.pending;
    if (!pending) return;
    try {
      // The COMMIT may have happened (a connection lost while it ran): drop the entries.
      await this.options.cache?.delete(pending.skus, pending.writer);
    } finally {
      pending.done();
    }
  }
}
