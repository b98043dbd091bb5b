import { createStockroom, isStockroomError, type StockStore } from '@stockroom/core';

/** What one run of the hot-SKU load did. */
export interface HotSkuResult {
  readonly succeeded: number;
  readonly insufficient: number;
  /** Error codes (or messages of non-stockroom errors) of any other failure. */
  readonly other: string[];
  readonly conflicts: number;
  readonly retries: number;
  readonly milliseconds: number;
}

/**
 * `requests` single-unit reservations of `sku` from `callers` concurrent callers, each a
 * separate stockroom instance over `store` (one instance would batch the callers into one
 * transaction; separate instances make every request its own transaction on the pool).
 */
export async function hotSkuLoad(options: {
  readonly store: StockStore;
  readonly sku: string;
  readonly requests: number;
  readonly callers: number;
  readonly locking: 'optimistic' | 'pessimistic';
}): Promise<HotSkuResult> {
  const stockrooms = Array.from({ length: options.callers }, () =>
    createStockroom({
      store: options.store,
      policies: {
        // 32 writers on one row: in optimistic mode most attempts lose, so the budget is wide
        // enough that every caller ends in success or INSUFFICIENT_STOCK, never in a conflict.
        retry: { maxAttempts: 10_000, deadlineMs: 170_000 },
        ...(options.locking === 'pessimistic' ? { locking: () => 'pessimistic' as const } : {}),
      },
    }),
  );
  let next = 0;
  let succeeded = 0;
  let insufficient = 0;
  const other: string[] = [];
  const started = performance.now();
  await Promise.all(
    stockrooms.map(async (stockroom, caller) => {
      while (next < options.requests) {
        const index = next++;
        try {
          await stockroom.reservations.reserve({
            items: [{ sku: options.sku, quantity: 1 }],
            userId: `caller-${caller}-${index}`,
          });
          succeeded += 1;
        } catch (error) {
          if (isStockroomError(error) && error.code === 'INSUFFICIENT_STOCK') insufficient += 1;
          else other.push(isStockroomError(error) ? error.code : String(error));
        }
      }
    }),
  );
  return {
    succeeded,
    insufficient,
    other,
    conflicts: stockrooms.reduce((sum, stockroom) => sum + stockroom.stats.conflicts, 0),
    retries: stockrooms.reduce((sum, stockroom) => sum + stockroom.stats.retries, 0),
    milliseconds: Math.round(performance.now() - started),
  };
}
