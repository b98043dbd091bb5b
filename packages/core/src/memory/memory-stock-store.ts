import type { SalesChannel } from '../channels/sales-channel.js';
import type { CloudEvent } from '../domain/events.js';
import {
  addQuantities,
  type InventoryStock,
  type StockKey,
  stockKeyOf,
  ZERO_QUANTITIES,
} from '../domain/inventory-stock.js';
import { isOpenAlert, type LowStockAlert } from '../domain/low-stock-alert.js';
import type { Movement } from '../domain/movement.js';
import type { Reservation } from '../domain/reservation.js';
import type { Transfer } from '../domain/transfer.js';
import type { Warehouse } from '../domain/warehouse.js';
import type { LedgerCheckpoint, LedgerRange, LedgerSlice } from '../ports/history.js';
import type { Page, PageRequest } from '../ports/page.js';
import { decodeCursor, encodeCursor, pageLimit } from '../ports/paging.js';
import type {
  IdempotencyRecord,
  MovementFilter,
  OutboxEntry,
  StockStore,
  StockTransaction,
  StoreReads,
  TransferFilter,
  WriteOutcome,
} from '../ports/stock-store.js';
import { AsyncMutex } from './async-mutex.js';
import { memoryChannelRows } from './memory-channel-rows.js';

const APPLIED: WriteOutcome = { applied: true };
const NOT_APPLIED: WriteOutcome = { applied: false };

type SortKey = readonly (string | number)[];

function compareKeys(left: SortKey, right: SortKey): number {
  for (let index = 0; index < left.length; index += 1) {
    const a = left[index]!;
    const b = right[index]!;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** Sorts `items` by `key` (ascending, or descending) and serves one keyset page. */
function paginate<T>(
  items: Iterable<T>,
  key: (item: T) => SortKey,
  request: PageRequest,
  descending = false,
): Page<T> {
  const direction = descending ? -1 : 1;
  const sorted = [...items].sort((left, right) => direction * compareKeys(key(left), key(right)));
  const limit = pageLimit(request);
  let start = 0;
  if (request.cursor) {
    const first = sorted[0];
    const after = decodeCursor(request.cursor, first ? key(first).length : 0);
    start = sorted.findIndex((item) => direction * compareKeys(key(item), after) > 0);
    if (start < 0) start = sorted.length;
  }
  const items_ = sorted.slice(start, start + limit);
  const last = items_[items_.length - 1];
  const nextCursor = last && start + limit < sorted.length ? encodeCursor(key(last)) : null;
  return { items: items_, nextCursor };
}

interface MemoryState {
  stock: Map<string, InventoryStock>;
  reservations: Map<string, Reservation>;
  movements: Movement[];
  outbox: Map<string, OutboxEntry>;
  outboxPosition: number;
  idempotency: Map<string, IdempotencyRecord>;
  warehouses: Map<string, Warehouse>;
  transfers: Map<string, Transfer>;
  alerts: Map<string, LowStockAlert>;
  /** Checkpoints per row key, ascending by version. */
  checkpoints: Map<string, LedgerCheckpoint[]>;
  horizon: Date | null;
}

/** Options of {@link createMemoryStockStore}. */
export interface MemoryStockStoreOptions {
  /** Reads made outside transactions see the latest commit (the default; memory has no replica). */
  readonly name?: string;
}

/**
 * The in-memory store: every port method, kept in plain maps. Transactions run one at a time
 * (a FIFO mutex), see their own writes and undo every write when `work` throws. Reads outside
 * transactions wait for the running transaction, so they never see uncommitted state.
 *
 * This is the store a host application uses in its own tests; it is not durable.
 */
export class MemoryStockStore implements StockStore {
  readonly capabilities = { lockingReads: true, skipLocked: true, multiProcess: false } as const;
  readonly reads: StoreReads;
  private readonly mutex = new AsyncMutex();
  private readonly state: MemoryState = {
    stock: new Map(),
    reservations: new Map(),
    movements: [],
    outbox: new Map(),
    outboxPosition: 0,
    idempotency: new Map(),
    warehouses: new Map(),
    transfers: new Map(),
    alerts: new Map(),
    checkpoints: new Map(),
    horizon: null,
  };
  private closed = false;
  private readonly channels = new Map<string, SalesChannel>();
  /** Stock keys per SKU, so reads of a SKU's rows do not scan every row. */
  private readonly skuIndex = new Map<string, Set<string>>();

  constructor(_options: MemoryStockStoreOptions = {}) {
    this.reads = this.createReads();
  }

  transaction<T>(work: (transaction: StockTransaction) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      const undo: Array<() => void> = [];
      try {
        return await work(this.createTransaction(undo));
      } catch (error) {
        for (let index = undo.length - 1; index >= 0; index -= 1) undo[index]!();
        throw error;
      }
    });
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }

  /** True once `close` was called (the memory store keeps working; this is for tests). */
  get isClosed(): boolean {
    return this.closed;
  }

  private setIn<K, V>(undo: Array<() => void>, map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const previous = map.get(key);
    map.set(key, value);
    undo.push(() => {
      if (had) map.set(key, previous as V);
      else map.delete(key);
    });
  }

  private deleteIn<K, V>(undo: Array<() => void>, map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const previous = map.get(key) as V;
    map.delete(key);
    undo.push(() => map.set(key, previous));
  }

  private stockOf(skus: readonly string[]): InventoryStock[] {
    const rows: InventoryStock[] = [];
    for (const sku of new Set(skus)) {
      for (const key of this.skuIndex.get(sku) ?? []) {
        const row = this.state.stock.get(key);
        if (row) rows.push(row);
      }
    }
    return rows.sort((left, right) =>
      compareKeys([left.sku, left.warehouseId], [right.sku, right.warehouseId]),
    );
  }

  /** Row keys of the given SKUs' stock rows, sorted by (sku, warehouseId). */
  private stockKeysOf(skus: readonly string[]): string[] {
    return this.stockOf(skus).map(stockKeyOf);
  }

  private createTransaction(undo: Array<() => void>): StockTransaction {
    const state = this.state;
    return {
      channels: memoryChannelRows(this.channels, undo),
      stock: {
        read: async (skus) => this.stockOf(skus),
        get: async (key) => state.stock.get(stockKeyOf(key)) ?? null,
        insert: async (row) => {
          const key = stockKeyOf(row);
          if (state.stock.has(key)) return NOT_APPLIED;
          this.setIn(undo, state.stock, key, row);
          // The index only grows; a rolled-back insert leaves a key that lookups skip.
          const keys = this.skuIndex.get(row.sku) ?? new Set<string>();
          keys.add(key);
          this.skuIndex.set(row.sku, keys);
          return APPLIED;
        },
        update: async (writes, unchanged = []) => {
          for (const row of [...writes.map((write) => write.before), ...unchanged]) {
            if (state.stock.get(stockKeyOf(row))?.version !== row.version) return NOT_APPLIED;
          }
          for (const write of writes) {
            const { next } = write;
            if (next.available < 0 || next.reserved < 0 || next.damaged < 0 || next.inTransit < 0) {
              throw new RangeError(`stock row ${next.sku}@${next.warehouseId} would go negative`);
            }
            const key = stockKeyOf(next);
            const stored = state.stock.get(key)!;
            this.setIn(undo, state.stock, key, {
              ...next,
              lowStockThreshold: stored.lowStockThreshold,
              reorderPoint: stored.reorderPoint,
              maxStockLevel: stored.maxStockLevel,
            });
          }
          return APPLIED;
        },
        updateSettings: async (key, settings, now) => {
          const stored = state.stock.get(stockKeyOf(key));
          if (!stored) return NOT_APPLIED;
          this.setIn(undo, state.stock, stockKeyOf(key), {
            ...stored,
            lowStockThreshold: settings.lowStockThreshold,
            reorderPoint: settings.reorderPoint,
            maxStockLevel: settings.maxStockLevel,
            updatedAt: now,
          });
          return APPLIED;
        },
        occupancy: async (warehouseId) => {
          let sum = 0;
          for (const row of state.stock.values())
            if (row.warehouseId === warehouseId) sum += row.total;
          return sum;
        },
      },
      reservations: {
        get: async (ids) =>
          ids
            .map((id) => state.reservations.get(id))
            .filter((item): item is Reservation => item !== undefined),
        insert: async (reservations) => {
          for (const reservation of reservations) {
            if (state.reservations.has(reservation.id)) {
              throw new RangeError(`reservation ${reservation.id} exists`);
            }
            this.setIn(undo, state.reservations, reservation.id, reservation);
          }
        },
        update: async (next, expectedVersion) => {
          if (state.reservations.get(next.id)?.version !== expectedVersion) return NOT_APPLIED;
          this.setIn(undo, state.reservations, next.id, next);
          return APPLIED;
        },
        claimDue: async (now, limit) =>
          [...state.reservations.values()]
            .filter((item) => item.status === 'ACTIVE' && item.expiresAt.getTime() <= now.getTime())
            .sort((left, right) =>
              compareKeys(
                [left.expiresAt.getTime(), left.id],
                [right.expiresAt.getTime(), right.id],
              ),
            )
            .slice(0, limit),
        listByOrder: async (orderId) =>
          [...state.reservations.values()]
            .filter((item) => item.orderId === orderId)
            .sort((left, right) =>
              compareKeys(
                [left.createdAt.getTime(), left.id],
                [right.createdAt.getTime(), right.id],
              ),
            ),
      },
      ledger: {
        append: async (movements) => {
          const length = state.movements.length;
          state.movements.push(...movements);
          undo.push(() => {
            state.movements.length = length;
          });
        },
      },
      outbox: {
        append: async (events: readonly CloudEvent[]) => {
          for (const event of events) {
            state.outboxPosition += 1;
            const position = state.outboxPosition.toString().padStart(16, '0');
            this.setIn(undo, state.outbox, event.id, { position, event, attempts: 0 });
          }
        },
        claim: async (limit) =>
          [...state.outbox.values()]
            .sort((left, right) => compareKeys([left.position], [right.position]))
            .slice(0, limit),
        markDelivered: async (eventIds) => {
          for (const id of eventIds) this.deleteIn(undo, state.outbox, id);
        },
        markFailed: async (eventIds) => {
          for (const id of eventIds) {
            const entry = state.outbox.get(id);
            if (entry)
              this.setIn(undo, state.outbox, id, { ...entry, attempts: entry.attempts + 1 });
          }
        },
      },
      idempotency: {
        get: async (scope, key) => state.idempotency.get(`${scope}\u0000${key}`) ?? null,
        put: async (record) => {
          const key = `${record.scope}\u0000${record.key}`;
          if (state.idempotency.has(key)) return NOT_APPLIED;
          this.setIn(undo, state.idempotency, key, record);
          return APPLIED;
        },
        replace: async (record) => {
          const key = `${record.scope}\u0000${record.key}`;
          const existing = state.idempotency.get(key);
          if (!existing) return NOT_APPLIED;
          this.setIn(undo, state.idempotency, key, { ...record, createdAt: existing.createdAt });
          return APPLIED;
        },
        remove: async (scope, key) => {
          const id = `${scope}\u0000${key}`;
          if (state.idempotency.has(id)) this.deleteIn(undo, state.idempotency, id);
        },
        purge: async (before) => {
          let count = 0;
          for (const [key, record] of [...state.idempotency]) {
            if (record.createdAt.getTime() < before.getTime()) {
              this.deleteIn(undo, state.idempotency, key);
              count += 1;
            }
          }
          return count;
        },
      },
      warehouses: {
        get: async (ids) =>
          ids
            .map((id) => state.warehouses.get(id))
            .filter((item): item is Warehouse => item !== undefined),
        list: async () =>
          [...state.warehouses.values()].sort((left, right) => compareKeys([left.id], [right.id])),
        insert: async (warehouse) => {
          if (state.warehouses.has(warehouse.id)) return NOT_APPLIED;
          this.setIn(undo, state.warehouses, warehouse.id, warehouse);
          return APPLIED;
        },
        update: async (next, expectedVersion) => {
          if (state.warehouses.get(next.id)?.version !== expectedVersion) return NOT_APPLIED;
          this.setIn(undo, state.warehouses, next.id, next);
          return APPLIED;
        },
      },
      transfers: {
        get: async (id) => state.transfers.get(id) ?? null,
        insert: async (transfer) => {
          if (state.transfers.has(transfer.id))
            throw new RangeError(`transfer ${transfer.id} exists`);
          this.setIn(undo, state.transfers, transfer.id, transfer);
        },
        update: async (next, expectedVersion) => {
          if (state.transfers.get(next.id)?.version !== expectedVersion) return NOT_APPLIED;
          this.setIn(undo, state.transfers, next.id, next);
          return APPLIED;
        },
      },
      alerts: {
        findOpen: async (keys) => {
          const wanted = new Set(keys.map(stockKeyOf));
          return [...state.alerts.values()].filter(
            (alert) => isOpenAlert(alert) && wanted.has(stockKeyOf(alert)),
          );
        },
        get: async (id) => state.alerts.get(id) ?? null,
        insert: async (alert) => {
          const key = stockKeyOf(alert);
          for (const existing of state.alerts.values()) {
            if (isOpenAlert(existing) && stockKeyOf(existing) === key) return NOT_APPLIED;
          }
          this.setIn(undo, state.alerts, alert.id, alert);
          return APPLIED;
        },
        update: async (alert) => {
          this.setIn(undo, state.alerts, alert.id, alert);
        },
      },
      history: {
        writeCheckpoints: async (checkpoints) => {
          for (const checkpoint of checkpoints) {
            const key = stockKeyOf(checkpoint);
            const kept = (state.checkpoints.get(key) ?? []).filter(
              (item) => item.version !== checkpoint.version,
            );
            kept.push(checkpoint);
            kept.sort((left, right) => left.version - right.version);
            this.setIn(undo, state.checkpoints, key, kept);
          }
          return checkpoints.length;
        },
        raiseHorizon: async (before) => {
          const previous = state.horizon;
          if (previous === null || previous.getTime() < before.getTime()) {
            state.horizon = before;
            undo.push(() => {
              state.horizon = previous;
            });
          }
          return state.horizon ?? before;
        },
        removeMovements: async (movements) => {
          const ids = new Set(movements.map((movement) => movement.id));
          const previous = state.movements;
          state.movements = previous.filter((movement) => !ids.has(movement.id));
          undo.push(() => {
            state.movements = previous;
          });
          return previous.length - state.movements.length;
        },
        pruneCheckpoints: async (before) => {
          let count = 0;
          for (const [key, checkpoints] of [...state.checkpoints]) {
            const older = checkpoints.filter((item) => item.movedAt.getTime() < before.getTime());
            if (older.length < 2) continue;
            const base = older[older.length - 1]!;
            const kept = checkpoints.filter((item) => !older.includes(item) || item === base);
            count += checkpoints.length - kept.length;
            this.setIn(undo, state.checkpoints, key, kept);
          }
          return count;
        },
      },
    };
  }

  private createReads(): StoreReads {
    const state = this.state;
    const read = <T>(work: () => T): Promise<T> => this.mutex.run(async () => work());
    const rowKey = (row: StockKey): SortKey => [row.sku, row.warehouseId];
    const matches = (movement: Movement, filter: MovementFilter) =>
      (filter.sku === undefined || movement.sku === filter.sku) &&
      (filter.warehouseId === undefined || movement.warehouseId === filter.warehouseId);
    return {
      stockBySku: (sku) => read(() => this.stockOf([sku])),
      stockBySkus: (skus) => read(() => this.stockOf(skus)),
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
              const key = stockKeyOf(line);
              const sum = sums.get(key) ?? {
                sku: line.sku,
                warehouseId: line.warehouseId,
                quantity: 0,
              };
              sum.quantity += line.quantity;
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
          this.stockKeysOf(skus)
            .map((key) => state.checkpoints.get(key)?.at(-1))
            .filter((item): item is LedgerCheckpoint => item !== undefined),
        ),
      checkpointsAsOf: (sku, instant) =>
        read(() =>
          this.stockKeysOf([sku])
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
}

/** Creates an in-memory store (see {@link MemoryStockStore}). */
export function createMemoryStockStore(options: MemoryStockStoreOptions = {}): MemoryStockStore {
  return new MemoryStockStore(options);
}
