import {
  addQuantities,
  type StockKey,
  stockKeyOf,
  ZERO_QUANTITIES,
} from '../domain/inventory-stock.js';
import type { Movement } from '../domain/movement.js';
import { heldOf, type Reservation } from '../domain/reservation.js';
import type { LedgerCheckpoint, LedgerRange, LedgerSlice } from '../ports/history.js';
import type {
  MovementFilter,
  ReservationFilter,
  StoreReads,
  TransferFilter,
} from '../ports/stock-store.js';
import type { AsyncMutex } from './async-mutex.js';
import {
  compareKeys,
  type MemoryState,
  paginate,
  type SortKey,
  stockKeysOf,
  stockOf,
} from './memory-state.js';

const within = (time: Date, from: Date | undefined, to: Date | undefined) =>
  (from === undefined || time.getTime() >= from.getTime()) &&
  (to === undefined || time.getTime() < to.getTime());

/** What the SQL stores' reservation listing selects (see `ReservationReads.reservations`). */
function matchesReservation(item: Reservation, filter: ReservationFilter): boolean {
  return (
    (filter.status === undefined || item.status === filter.status) &&
    (filter.orderId === undefined || item.orderId === filter.orderId) &&
    within(item.createdAt, filter.createdFrom, filter.createdTo) &&
    within(item.expiresAt, filter.expiresFrom, filter.expiresTo) &&
    ((filter.sku === undefined && filter.warehouseId === undefined) ||
      item.lines.some(
        (line) =>
          (filter.sku === undefined || line.sku === filter.sku) &&
          (filter.warehouseId === undefined || line.warehouseId === filter.warehouseId),
      ))
  );
}

/** The reads outside transactions: each waits for the running transaction (no dirty reads). */
export function createMemoryReads(state: MemoryState, mutex: AsyncMutex): StoreReads {
  const read = <T>(work: () => T): Promise<T> => mutex.run(async () => work());
  const rowKey = (row: StockKey): SortKey => [row.sku, row.warehouseId];
  const matches = (movement: Movement, filter: MovementFilter) =>
    (filter.sku === undefined || movement.sku === filter.sku) &&
    (filter.warehouseId === undefined || movement.warehouseId === filter.warehouseId);
  return {
    stockBySku: (sku) => read(() => stockOf(state, [sku])),
    stockBySkus: (skus) => read(() => stockOf(state, skus)),
    stockByWarehouse: (warehouseId, page) =>
      read(() =>
        paginate(
          [...state.stock.values()].filter((row) => row.warehouseId === warehouseId),
          (row) => [row.sku],
          page,
        ),
      ),
    allStock: (page) => read(() => paginate(state.stock.values(), rowKey, page)),
    lowStock: (warehouseId) =>
      read(() =>
        [...state.stock.values()]
          .filter(
            (row) =>
              row.available <= row.lowStockThreshold &&
              (warehouseId === undefined || row.warehouseId === warehouseId),
          )
          .sort((left, right) => compareKeys(rowKey(left), rowKey(right))),
      ),
    reservation: (id) => read(() => state.reservations.get(id) ?? null),
    activeHolds: () =>
      read(() => {
        const sums = new Map<string, StockKey & { quantity: number }>();
        for (const reservation of state.reservations.values()) {
          if (reservation.status !== 'ACTIVE') continue;
          for (const line of reservation.lines) {
            if (heldOf(line) === 0) continue;
            const key = stockKeyOf(line);
            const sum = sums.get(key) ?? {
              sku: line.sku,
              warehouseId: line.warehouseId,
              quantity: 0,
            };
            sum.quantity += heldOf(line);
            sums.set(key, sum);
          }
        }
        return [...sums.values()]
          .filter((hold) => hold.quantity > 0)
          .sort((left, right) => compareKeys(rowKey(left), rowKey(right)));
      }),
    waitingBackorderUnits: () =>
      read(() => {
        const sums = new Map<string, StockKey & { quantity: number }>();
        for (const reservation of state.reservations.values()) {
          if (reservation.status !== 'ACTIVE' && reservation.status !== 'COMMITTED') continue;
          for (const line of reservation.lines) {
            if (line.backordered === 0) continue;
            const key = stockKeyOf(line);
            const sum = sums.get(key) ?? {
              sku: line.sku,
              warehouseId: line.warehouseId,
              quantity: 0,
            };
            sum.quantity += line.backordered;
            sums.set(key, sum);
          }
        }
        return [...sums.values()].sort((left, right) => compareKeys(rowKey(left), rowKey(right)));
      }),
    reservationsByStatus: (status, page) =>
      read(() =>
        paginate(
          [...state.reservations.values()].filter((item) => item.status === status),
          (item) => [item.createdAt.toISOString(), item.id],
          page,
        ),
      ),
    reservations: (filter, page) =>
      read(() =>
        paginate(
          [...state.reservations.values()].filter((item) => matchesReservation(item, filter)),
          (item) => [item.createdAt.toISOString(), item.id],
          page,
          true,
        ),
      ),
    movements: (filter, page) =>
      read(() =>
        paginate(
          state.movements.filter((movement) => matches(movement, filter)),
          (movement) => [movement.createdAt.toISOString(), movement.id],
          page,
          true,
        ),
      ),
    latestCheckpoints: (skus) =>
      read(() =>
        stockKeysOf(state, skus)
          .map((key) => state.checkpoints.get(key)?.at(-1))
          .filter((item): item is LedgerCheckpoint => item !== undefined),
      ),
    checkpointsAsOf: (sku, instant) =>
      read(() =>
        stockKeysOf(state, [sku])
          .map((key) =>
            (state.checkpoints.get(key) ?? [])
              .filter((item) => item.movedAt.getTime() <= instant.getTime())
              .at(-1),
          )
          .filter((item): item is LedgerCheckpoint => item !== undefined),
      ),
    ledgerSince: (ranges, options) =>
      read(() => {
        const wanted = new Map(ranges.map((range) => [stockKeyOf(range), range]));
        return state.movements
          .filter((movement) => {
            const range = wanted.get(stockKeyOf(movement));
            return (
              range !== undefined &&
              movement.version > range.afterVersion &&
              (range.throughVersion === undefined || movement.version <= range.throughVersion) &&
              (options.until === undefined ||
                movement.createdAt.getTime() <= options.until.getTime())
            );
          })
          .sort((left, right) =>
            compareKeys(
              [left.sku, left.warehouseId, left.version],
              [right.sku, right.warehouseId, right.version],
            ),
          )
          .slice(0, options.limit);
      }),
    ledgerSums: (ranges) =>
      read(() => {
        const slices = new Map<string, LedgerSlice>();
        const byRow = new Map<string, LedgerRange[]>();
        for (const range of ranges) {
          const key = stockKeyOf(range);
          byRow.set(key, [...(byRow.get(key) ?? []), range]);
        }
        const ordered = [...state.movements].sort((left, right) => left.version - right.version);
        for (const movement of ordered) {
          for (const range of byRow.get(stockKeyOf(movement)) ?? []) {
            if (
              movement.version <= range.afterVersion ||
              (range.throughVersion !== undefined && movement.version > range.throughVersion)
            ) {
              continue;
            }
            const id = `${stockKeyOf(range)}\u0000${range.afterVersion}`;
            const slice = slices.get(id);
            const at = movement.createdAt;
            const later = (date: Date | null | undefined, type: string) =>
              movement.type === type && (!date || date < at) ? at : (date ?? null);
            slices.set(id, {
              sku: range.sku,
              warehouseId: range.warehouseId,
              afterVersion: range.afterVersion,
              count: (slice?.count ?? 0) + 1,
              deltas: addQuantities(slice?.deltas ?? ZERO_QUANTITIES, movement.deltas),
              lastVersion: movement.version,
              lastMovedAt: at,
              lastRestockedAt: later(slice?.lastRestockedAt, 'RESTOCK'),
              lastSoldAt: later(slice?.lastSoldAt, 'SALE'),
            });
          }
        }
        return [...slices.values()];
      }),
    archivable: (before, page) =>
      read(() =>
        paginate(
          state.movements.filter((movement) => {
            if (movement.createdAt.getTime() >= before.getTime()) return false;
            const base = (state.checkpoints.get(stockKeyOf(movement)) ?? [])
              .filter((item) => item.movedAt.getTime() < before.getTime())
              .at(-1);
            return base !== undefined && movement.version <= base.version;
          }),
          (movement) => [movement.createdAt.getTime(), movement.id],
          page,
        ),
      ),
    historyHorizon: () => read(() => state.horizon),
    ledger: (filter, page) =>
      read(() =>
        paginate(
          state.movements.filter(
            (movement) =>
              matches(movement, filter) &&
              (filter.until === undefined ||
                movement.createdAt.getTime() <= filter.until.getTime()),
          ),
          (movement) => [movement.sku, movement.warehouseId, movement.version],
          page,
        ),
      ),
    warehouse: (id) => read(() => state.warehouses.get(id) ?? null),
    warehouses: (page) =>
      read(() => paginate(state.warehouses.values(), (item) => [item.id], page)),
    occupancies: () =>
      read(() => {
        const sums = new Map<string, number>();
        for (const warehouse of state.warehouses.values()) sums.set(warehouse.id, 0);
        for (const row of state.stock.values()) {
          sums.set(row.warehouseId, (sums.get(row.warehouseId) ?? 0) + row.total);
        }
        return sums;
      }),
    transfer: (id) => read(() => state.transfers.get(id) ?? null),
    transfers: (filter: TransferFilter, page) =>
      read(() =>
        paginate(
          [...state.transfers.values()].filter(
            (item) =>
              (filter.status === undefined || item.status === filter.status) &&
              (filter.warehouseId === undefined ||
                item.fromWarehouseId === filter.warehouseId ||
                item.toWarehouseId === filter.warehouseId),
          ),
          (item) => [item.createdAt.toISOString(), item.id],
          page,
          true,
        ),
      ),
    alerts: (filter, page) =>
      read(() =>
        paginate(
          [...state.alerts.values()].filter(
            (item) => filter.status === undefined || item.status === filter.status,
          ),
          (item) => [item.triggeredAt.toISOString(), item.id],
          page,
          true,
        ),
      ),
    idempotencyRecord: (scope, key) =>
      read(() => state.idempotency.get(`${scope}\u0000${key}`) ?? null),
    outboxLag: () =>
      read(() => {
        let oldest: Date | null = null;
        for (const entry of state.outbox.values()) {
          const time = new Date(entry.event.time);
          if (oldest === null || time < oldest) oldest = time;
        }
        return { pending: state.outbox.size, oldest };
      }),
  };
}
