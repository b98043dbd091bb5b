import {
  compareStockKeys,
  type InventoryStock,
  type StockDeltas,
  stockKeyOf,
} from '../domain/inventory-stock.js';
import type { Movement } from '../domain/movement.js';
import type { Reservation } from '../domain/reservation.js';
import { VersionConflictError } from '../errors/version-conflict-error.js';
import type {
  IdempotencyRecord,
  OutboxRows,
  StockRows,
  StockTransaction,
  StockWrite,
  WriteOutcome,
} from '../ports/stock-store.js';

/** A flush found an idempotency key stored meanwhile: the batch runs again unbuffered. */
export class BufferedKeyTaken extends Error {
  constructor() {
    super('an idempotency key of the batch was stored concurrently');
  }
}

type OutboxEvent = Parameters<OutboxRows['append']>[0][number];

const APPLIED: WriteOutcome = { applied: true };
const NOT_APPLIED: WriteOutcome = { applied: false };

function addDeltas(left: StockDeltas, right: StockDeltas): StockDeltas {
  return {
    available: left.available + right.available,
    reserved: left.reserved + right.reserved,
    damaged: left.damaged + right.damaged,
    inTransit: left.inTransit + right.inTransit,
    backordered: left.backordered + right.backordered,
  };
}

/**
 * A lane batch's transaction with its writes held back and sent at the end of the batch, one
 * statement per kind instead of one per job:
 *
 * - stock rows: the batch locked every row of its SKUs before any job ran, so no other
 *   transaction can change them until the commit. Reads of those SKUs are answered from what
 *   the lock read (and the batch wrote since), versions are compared in memory, and the final
 *   state of every written row goes in one versioned `update` (still compare-and-set in the
 *   store) when the batch ends. Anything that reads stock another way (occupancy, settings,
 *   bulk writes, history) first sends what is held back;
 * - ledger movements, outbox events and idempotency records: append only, never read back in a
 *   batch except idempotency records, which `get` finds among the held-back ones first;
 * - new reservations, where the store has `writeBatch`: sent before any other reservation
 *   statement of the batch, else with the rest at the end — rows, reservations, ledger,
 *   outbox and keys in one round trip.
 *
 * A job that fails rolls its batch's transaction back, and what was held back with it.
 */
export function bufferedTransaction(transaction: StockTransaction): {
  transaction: StockTransaction;
  flush(): Promise<void>;
} {
  const movements: Movement[] = [];
  const events: OutboxEvent[] = [];
  const records = new Map<string, IdempotencyRecord>();
  const keyOf = (scope: string, key: string) => `${scope}\u0000${key}`;
  const { idempotency, stock } = transaction;
  const created: Reservation[] = [];
  const flushReservations = async (): Promise<void> => {
    if (created.length > 0) await transaction.reservations.insert(created.splice(0));
  };

  // Every row of a SKU read under the batch's lock, as changed so far (by stockKeyOf).
  const locked = new Map<string, Map<string, InventoryStock>>();
  const pending = new Map<string, StockWrite>();

  const rowsOf = (sku: string): InventoryStock[] =>
    [...locked.get(sku)!.values()].sort(compareStockKeys);

  /** The held-back stock writes in canonical order, forgotten. */
  const takeWrites = (): StockWrite[] => {
    const writes = [...pending.values()].sort((left, right) =>
      compareStockKeys(left.next, right.next),
    );
    pending.clear();
    return writes;
  };

  const flushStock = async (): Promise<void> => {
    if (pending.size === 0) return;
    const writes = takeWrites();
    if (!(await stock.update(writes)).applied) {
      // Cannot happen while the rows are locked; retried as a whole if it does.
      throw new VersionConflictError('A locked stock row changed under the batch', {
        retryable: true,
      });
    }
  };

  const cachedStock: StockRows = {
    async read(skus, options = {}) {
      const missing = [...new Set(skus)].filter((sku) => !locked.has(sku));
      if (missing.length > 0) {
        const rows = await stock.read(missing, options);
        // Only rows read under a lock stay valid until the commit.
        if (options.lock) {
          for (const sku of missing) locked.set(sku, new Map());
          for (const row of rows) locked.get(row.sku)!.set(stockKeyOf(row), row);
        } else if (missing.length === new Set(skus).size) return rows;
        else {
          const cached = [...new Set(skus)].filter((sku) => locked.has(sku)).flatMap(rowsOf);
          return [...rows, ...cached].sort(compareStockKeys);
        }
      }
      return [...new Set(skus)].sort().flatMap(rowsOf);
    },

    async get(key, options = {}) {
      const rows = locked.get(key.sku);
      if (rows) return rows.get(stockKeyOf(key)) ?? null;
      return stock.get(key, options);
    },

    async insert(row) {
      const outcome = await stock.insert(row);
      if (outcome.applied) locked.get(row.sku)?.set(stockKeyOf(row), row);
      return outcome;
    },

    async update(writes, unchanged = []) {
      const all = [...writes.map((write) => write.before), ...unchanged];
      if (all.some((row) => !locked.has(row.sku))) {
        // A row the batch did not lock: written now, by the store's own compare-and-set.
        await flushStock();
        return stock.update(writes, unchanged);
      }
      for (const row of all) {
        const current = locked.get(row.sku)!.get(stockKeyOf(row));
        if (!current || current.version !== row.version) return NOT_APPLIED;
      }
      for (const { next } of writes) {
        if (
          next.available < 0 ||
          next.reserved < 0 ||
          next.damaged < 0 ||
          next.inTransit < 0 ||
          next.backordered < 0
        )
          return NOT_APPLIED;
      }
      for (const write of writes) {
        const id = stockKeyOf(write.next);
        const earlier = pending.get(id);
        pending.set(
          id,
          earlier
            ? {
                before: earlier.before,
                next: write.next,
                deltas: addDeltas(earlier.deltas, write.deltas),
              }
            : write,
        );
        locked.get(write.next.sku)!.set(id, write.next);
      }
      return APPLIED;
    },

    async updateSettings(key, settings, now) {
      await flushStock();
      locked.delete(key.sku);
      return stock.updateSettings(key, settings, now);
    },

    async occupancy(warehouseId) {
      await flushStock();
      return stock.occupancy(warehouseId);
    },
  };

  /** Wraps every method of `rows` so held-back stock writes are sent (and forgotten) first. */
  const flushingFirst = <T extends object>(rows: T): T => {
    const wrapped: Record<string, unknown> = {};
    for (const [name, method] of Object.entries(rows)) {
      wrapped[name] =
        typeof method === 'function'
          ? async (...args: unknown[]) => {
              await flushStock();
              locked.clear();
              return (method as (...parameters: unknown[]) => Promise<unknown>).apply(rows, args);
            }
          : method;
    }
    return wrapped as T;
  };

  // New reservations wait for `writeBatch`; any other reservation statement sends them first.
  const reservationRows: StockTransaction['reservations'] = transaction.writeBatch
    ? {
        ...(Object.fromEntries(
          Object.entries(transaction.reservations).map(([name, method]) => [
            name,
            typeof method === 'function'
              ? async (...args: unknown[]) => {
                  await flushReservations();
                  return (method as (...parameters: unknown[]) => Promise<unknown>).apply(
                    transaction.reservations,
                    args,
                  );
                }
              : method,
          ]),
        ) as StockTransaction['reservations']),
        async insert(items: readonly Reservation[]) {
          created.push(...items);
        },
      }
    : transaction.reservations;

  return {
    transaction: {
      ...transaction,
      stock: cachedStock,
      reservations: reservationRows,
      history: flushingFirst(transaction.history),
      ...(transaction.bulk ? { bulk: flushingFirst(transaction.bulk) } : {}),
      ledger: {
        async append(items) {
          movements.push(...items);
        },
      },
      outbox: {
        ...transaction.outbox,
        async append(items) {
          events.push(...items);
        },
      },
      idempotency: {
        ...idempotency,
        async get(scope, key) {
          return records.get(keyOf(scope, key)) ?? idempotency.get(scope, key);
        },
        async put(record) {
          const id = keyOf(record.scope, record.key);
          if (records.has(id)) return NOT_APPLIED;
          records.set(id, record);
          return APPLIED;
        },
      },
    },
    async flush() {
      if (
        transaction.writeBatch &&
        pending.size + created.length + records.size + movements.length + events.length > 0
      ) {
        const outcome = await transaction.writeBatch({
          records: [...records.values()],
          movements,
          events,
          writes: takeWrites(),
          reservations: created.splice(0),
        });
        if (outcome.lostStock) {
          // Cannot happen while the rows are locked; retried as a whole if it does.
          throw new VersionConflictError('A locked stock row changed under the batch', {
            retryable: true,
          });
        }
        if (!outcome.applied) throw new BufferedKeyTaken();
        return;
      }
      await flushStock();
      await flushReservations();
      if (transaction.appendAll && records.size + movements.length + events.length > 0) {
        const outcome = await transaction.appendAll({
          records: [...records.values()],
          movements,
          events,
        });
        if (!outcome.applied) throw new BufferedKeyTaken();
        return;
      }
      if (records.size > 0) {
        const all = [...records.values()];
        if (idempotency.putMany) {
          if (!(await idempotency.putMany(all)).applied) throw new BufferedKeyTaken();
        } else {
          for (const record of all) {
            if (!(await idempotency.put(record)).applied) throw new BufferedKeyTaken();
          }
        }
      }
      if (movements.length > 0) await transaction.ledger.append(movements);
      if (events.length > 0) await transaction.outbox.append(events);
    },
  };
}
