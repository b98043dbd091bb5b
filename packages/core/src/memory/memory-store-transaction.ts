import type { CloudEvent } from '../domain/events.js';
import { stockKeyOf } from '../domain/inventory-stock.js';
import { isOpenAlert, type LowStockAlert } from '../domain/low-stock-alert.js';
import type { Reservation } from '../domain/reservation.js';
import type { Warehouse } from '../domain/warehouse.js';
import type { StockTransaction } from '../ports/stock-store.js';
import { memoryChannelRows } from './memory-channel-rows.js';
import { memoryKitRows } from './memory-kit-rows.js';
import { memoryReceiptRows } from './memory-receipt-rows.js';
import { memorySkuPolicyRows } from './memory-sku-policies.js';
import {
  APPLIED,
  compareKeys,
  deleteIn,
  type MemoryState,
  NOT_APPLIED,
  setIn,
  stockOf,
} from './memory-state.js';

/** A transaction over the memory state: every write records its undo in `undo`. */
export function createMemoryTransaction(
  state: MemoryState,
  undo: Array<() => void>,
): StockTransaction {
  /** Inserts each alert whose row has no open alert yet; answers which were inserted. */
  const insertAlerts = (alerts: readonly LowStockAlert[]): boolean[] => {
    const open = new Set<string>();
    for (const existing of state.alerts.values()) {
      if (isOpenAlert(existing)) open.add(stockKeyOf(existing));
    }
    return alerts.map((alert) => {
      const key = stockKeyOf(alert);
      if (open.has(key)) return false;
      open.add(key);
      setIn(undo, state.alerts, alert.id, alert);
      return true;
    });
  };
  return {
    stock: {
      read: async (skus) => stockOf(state, skus),
      get: async (key) => state.stock.get(stockKeyOf(key)) ?? null,
      insert: async (row) => {
        const key = stockKeyOf(row);
        if (state.stock.has(key)) return NOT_APPLIED;
        setIn(undo, state.stock, key, row);
        // The index only grows; a rolled-back insert leaves a key that lookups skip.
        const keys = state.skuIndex.get(row.sku) ?? new Set<string>();
        keys.add(key);
        state.skuIndex.set(row.sku, keys);
        return APPLIED;
      },
      update: async (writes, unchanged = []) => {
        for (const row of [...writes.map((write) => write.before), ...unchanged]) {
          if (state.stock.get(stockKeyOf(row))?.version !== row.version) return NOT_APPLIED;
        }
        for (const write of writes) {
          const { next } = write;
          if (
            next.available < 0 ||
            next.reserved < 0 ||
            next.damaged < 0 ||
            next.inTransit < 0 ||
            next.backordered < 0
          ) {
            throw new RangeError(`stock row ${next.sku}@${next.warehouseId} would go negative`);
          }
          const key = stockKeyOf(next);
          const stored = state.stock.get(key)!;
          setIn(undo, state.stock, key, {
            ...next,
            lowStockThreshold: stored.lowStockThreshold,
            reorderPoint: stored.reorderPoint,
            maxStockLevel: stored.maxStockLevel,
            safetyStock: stored.safetyStock,
          });
        }
        return APPLIED;
      },
      updateSettings: async (key, settings, now) => {
        const stored = state.stock.get(stockKeyOf(key));
        if (!stored) return NOT_APPLIED;
        setIn(undo, state.stock, stockKeyOf(key), {
          ...stored,
          lowStockThreshold: settings.lowStockThreshold,
          reorderPoint: settings.reorderPoint,
          maxStockLevel: settings.maxStockLevel,
          safetyStock: settings.safetyStock,
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
          setIn(undo, state.reservations, reservation.id, reservation);
        }
      },
      update: async (next, expectedVersion) => {
        if (state.reservations.get(next.id)?.version !== expectedVersion) return NOT_APPLIED;
        setIn(undo, state.reservations, next.id, next);
        return APPLIED;
      },
      claimDue: async (now, limit) =>
        [...state.reservations.values()]
          .filter((item) => item.status === 'ACTIVE' && item.expiresAt.getTime() <= now.getTime())
          .sort((left, right) =>
            compareKeys([left.expiresAt.getTime(), left.id], [right.expiresAt.getTime(), right.id]),
          )
          .slice(0, limit),
      waitingBackorders: async (keys) => {
        const wanted = new Set(keys.map(stockKeyOf));
        return [...state.reservations.values()]
          .filter(
            (item) =>
              (item.status === 'ACTIVE' || item.status === 'COMMITTED') &&
              item.lines.some((line) => line.backordered > 0 && wanted.has(stockKeyOf(line))),
          )
          .sort((left, right) =>
            compareKeys([left.createdAt.getTime(), left.id], [right.createdAt.getTime(), right.id]),
          );
      },
      listByOrder: async (orderId) =>
        [...state.reservations.values()]
          .filter((item) => item.orderId === orderId)
          .sort((left, right) =>
            compareKeys([left.createdAt.getTime(), left.id], [right.createdAt.getTime(), right.id]),
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
          setIn(undo, state.outbox, event.id, { position, event, attempts: 0 });
        }
      },
      claim: async (limit) =>
        [...state.outbox.values()]
          .sort((left, right) => compareKeys([left.position], [right.position]))
          .slice(0, limit),
      markDelivered: async (eventIds) => {
        for (const id of eventIds) deleteIn(undo, state.outbox, id);
      },
      markFailed: async (eventIds) => {
        for (const id of eventIds) {
          const entry = state.outbox.get(id);
          if (entry) setIn(undo, state.outbox, id, { ...entry, attempts: entry.attempts + 1 });
        }
      },
    },
    idempotency: {
      get: async (scope, key) => state.idempotency.get(`${scope}\u0000${key}`) ?? null,
      put: async (record) => {
        const key = `${record.scope}\u0000${record.key}`;
        if (state.idempotency.has(key)) return NOT_APPLIED;
        setIn(undo, state.idempotency, key, record);
        return APPLIED;
      },
      replace: async (record) => {
        const key = `${record.scope}\u0000${record.key}`;
        const existing = state.idempotency.get(key);
        if (!existing) return NOT_APPLIED;
        setIn(undo, state.idempotency, key, { ...record, createdAt: existing.createdAt });
        return APPLIED;
      },
      remove: async (scope, key) => {
        const id = `${scope}\u0000${key}`;
        if (state.idempotency.has(id)) deleteIn(undo, state.idempotency, id);
      },
      purge: async (before) => {
        let count = 0;
        for (const [key, record] of [...state.idempotency]) {
          if (record.createdAt.getTime() < before.getTime()) {
            deleteIn(undo, state.idempotency, key);
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
        setIn(undo, state.warehouses, warehouse.id, warehouse);
        return APPLIED;
      },
      update: async (next, expectedVersion) => {
        if (state.warehouses.get(next.id)?.version !== expectedVersion) return NOT_APPLIED;
        setIn(undo, state.warehouses, next.id, next);
        return APPLIED;
      },
    },
    transfers: {
      get: async (id) => state.transfers.get(id) ?? null,
      insert: async (transfer) => {
        if (state.transfers.has(transfer.id))
          throw new RangeError(`transfer ${transfer.id} exists`);
        setIn(undo, state.transfers, transfer.id, transfer);
      },
      update: async (next, expectedVersion) => {
        if (state.transfers.get(next.id)?.version !== expectedVersion) return NOT_APPLIED;
        setIn(undo, state.transfers, next.id, next);
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
      insert: async (alert) => (insertAlerts([alert])[0] ? APPLIED : NOT_APPLIED),
      insertMany: async (alerts) => insertAlerts(alerts),
      update: async (alert) => {
        setIn(undo, state.alerts, alert.id, alert);
      },
    },
    policies: memorySkuPolicyRows(state.policies, undo),
    channels: memoryChannelRows(state.channels, undo),
    kits: memoryKitRows(state.kits, undo),
    receipts: memoryReceiptRows(state, undo),
    history: {
      writeCheckpoints: async (checkpoints) => {
        for (const checkpoint of checkpoints) {
          const key = stockKeyOf(checkpoint);
          const kept = (state.checkpoints.get(key) ?? []).filter(
            (item) => item.version !== checkpoint.version,
          );
          kept.push(checkpoint);
          kept.sort((left, right) => left.version - right.version);
          setIn(undo, state.checkpoints, key, kept);
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
          setIn(undo, state.checkpoints, key, kept);
        }
        return count;
      },
    },
  };
}
