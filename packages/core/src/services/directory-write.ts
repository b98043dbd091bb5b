import type { ChangeContext } from '../domain/movement.js';
import { InvalidStateError } from '../errors/invalid-state-error.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { runIdempotent } from './idempotency.js';
import type { ServiceContext } from './service-context.js';

/**
 * A keyed write to one of the in-process directories' tables (kits, sales channels): one store
 * transaction, then the directory is dropped here and the change announced to every process
 * (also after a replay: a first attempt may have committed and then failed to announce it).
 * @throws INVALID_STATE when the store keeps no such rows (`missing` says what)
 */
export async function writeDirectoryRows<R, T>(
  context: ServiceContext,
  changeContext: ChangeContext,
  key: { readonly command: string; readonly request: unknown },
  table: {
    readonly rowsOf: (transaction: StockTransaction) => R | undefined;
    readonly missing: string;
    readonly forget: () => void;
  },
  work: (transaction: StockTransaction, rows: R, now: Date) => Promise<T>,
): Promise<T> {
  const result = await context.transact(async (transaction) => {
    const rows = table.rowsOf(transaction);
    if (!rows) throw new InvalidStateError(table.missing);
    const now = context.clock.now();
    return runIdempotent(transaction, changeContext, key.command, key.request, now, () =>
      work(transaction, rows, now),
    );
  });
  table.forget();
  await context.warehousesChanged();
  return result;
}
