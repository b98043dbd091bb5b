import { isStockroomError, type StockStore } from '@stockroom/core';
import { expect } from 'vitest';

/**
 * Asserts what both SQL stores answer on a schema that was never migrated: a read and a
 * transaction each fail with STORE_UNAVAILABLE, whose message (matched by `message`) says how
 * to migrate.
 */
export async function expectUnmigratedAnswers(store: StockStore, message: RegExp): Promise<void> {
  const read = store.reads.stockBySku('A').catch((error: unknown) => error);
  const write = store
    .transaction((transaction) => transaction.stock.read(['A']))
    .catch((error: unknown) => error);
  for (const error of [await read, await write]) {
    expect(isStockroomError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as Error).message).toMatch(message);
  }
}
