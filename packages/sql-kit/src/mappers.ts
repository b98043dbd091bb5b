import type {
  AlertStatus,
  InventoryStock,
  LowStockAlert,
  Movement,
  MovementType,
  Transfer,
  TransferStatus,
  Warehouse,
  WarehouseStatus,
} from '@stockroom/core';
import type { IdempotencyRecord, LedgerCheckpoint, LedgerEntry } from '@stockroom/core/adapter-kit';
import type { Insertable, Selectable } from 'kysely';
import { intOrNull, type SqlCodec, timeOrNull, toTimeOrNull } from './codec.js';
import { createReservationMappers, type ReservationMappers } from './reservation-mappers.js';
import type {
  AlertTable,
  AnyEngineColumns,
  EngineColumns,
  IdempotencyKeyTable,
  LedgerCheckpointTable,
  MovementTable,
  RawTime,
  StockTable,
  TransferTable,
  WarehouseTable,
} from './tables.js';

// Rows (snake_case, as stored) ↔ domain values (camelCase, numbers, Dates). No logic beyond the
// mapping; status columns are constrained by CHECKs, so the casts to the domain unions are safe.

export type { ReservationLineRow } from './reservation-mappers.js';

/** The movement columns a ledger replay reads (`ledgerSince`). */
export type LedgerEntryRow<C extends EngineColumns = AnyEngineColumns> = Selectable<
  Pick<
    MovementTable<C>,
    | 'sku'
    | 'warehouse_id'
    | 'version'
    | 'type'
    | 'delta_available'
    | 'delta_reserved'
    | 'delta_damaged'
    | 'delta_in_transit'
    | 'delta_backordered'
    | 'after_available'
    | 'after_reserved'
    | 'after_damaged'
    | 'after_in_transit'
    | 'after_backordered'
    | 'created_at'
  >
>;

/** Every row ↔ domain mapping of the shared tables, for one engine's {@link SqlCodec}. */
export interface RowMappers<C extends EngineColumns = AnyEngineColumns>
  extends ReservationMappers<C> {
  stockFromRow(row: Selectable<StockTable<C>>): InventoryStock;
  stockToRow(stock: InventoryStock): Insertable<StockTable<C>>;
  movementFromRow(row: Selectable<MovementTable<C>>): Movement;
  movementToRow(movement: Movement): Insertable<MovementTable<C>>;
  ledgerEntryFromRow(row: LedgerEntryRow<C>): LedgerEntry;
  warehouseFromRow(row: Selectable<WarehouseTable<C>>): Warehouse;
  warehouseToRow(warehouse: Warehouse): Insertable<WarehouseTable<C>>;
  transferFromRow(row: Selectable<TransferTable<C>>): Transfer;
  transferToRow(transfer: Transfer): Insertable<TransferTable<C>>;
  alertFromRow(row: Selectable<AlertTable<C>>): LowStockAlert;
  alertToRow(alert: LowStockAlert): Insertable<AlertTable<C>>;
  idempotencyFromRow(row: Selectable<IdempotencyKeyTable<C>>): IdempotencyRecord;
  idempotencyToRow(record: IdempotencyRecord): Insertable<IdempotencyKeyTable<C>>;
  checkpointFromRow(row: Selectable<LedgerCheckpointTable<C>>): LedgerCheckpoint;
  checkpointToRow(checkpoint: LedgerCheckpoint): Insertable<LedgerCheckpointTable<C>>;
}

/** The mappers of one engine: every integer and time goes through `codec`. */
export function createRowMappers(codec: SqlCodec): RowMappers {
  const { int, time, toTime } = codec;
  const maybeTime = (value: RawTime | null) => timeOrNull(codec, value);
  const storedTime = (value: Date | null) => toTimeOrNull(codec, value);

  return {
    stockFromRow: (row) => ({
      sku: row.sku,
      warehouseId: row.warehouse_id,
      available: int(row.available),
      reserved: int(row.reserved),
      damaged: int(row.damaged),
      inTransit: int(row.in_transit),
      backordered: int(row.backordered),
      total: int(row.total),
      lowStockThreshold: int(row.low_stock_threshold),
      reorderPoint: int(row.reorder_point),
      maxStockLevel: intOrNull(codec, row.max_stock_level),
      safetyStock: int(row.safety_stock),
      version: int(row.version),
      lastRestockedAt: maybeTime(row.last_restocked_at),
      lastSoldAt: maybeTime(row.last_sold_at),
      createdAt: time(row.created_at),
      updatedAt: time(row.updated_at),
    }),

    stockToRow: (stock) => ({
      sku: stock.sku,
      warehouse_id: stock.warehouseId,
      available: stock.available,
      reserved: stock.reserved,
      damaged: stock.damaged,
      in_transit: stock.inTransit,
      backordered: stock.backordered,
      total: stock.total,
      low_stock_threshold: stock.lowStockThreshold,
      reorder_point: stock.reorderPoint,
      max_stock_level: stock.maxStockLevel,
      safety_stock: stock.safetyStock,
      version: stock.version,
      last_restocked_at: storedTime(stock.lastRestockedAt),
      last_sold_at: storedTime(stock.lastSoldAt),
      created_at: toTime(stock.createdAt),
      updated_at: toTime(stock.updatedAt),
    }),

    ...createReservationMappers(codec),

    movementFromRow: (row) => ({
      id: row.id,
      sku: row.sku,
      warehouseId: row.warehouse_id,
      type: row.type as MovementType,
      deltas: {
        available: int(row.delta_available),
        reserved: int(row.delta_reserved),
        damaged: int(row.delta_damaged),
        inTransit: int(row.delta_in_transit),
        backordered: int(row.delta_backordered),
      },
      after: {
        available: int(row.after_available),
        reserved: int(row.after_reserved),
        damaged: int(row.after_damaged),
        inTransit: int(row.after_in_transit),
        backordered: int(row.after_backordered),
      },
      version: int(row.version),
      reservationId: row.reservation_id,
      orderId: row.order_id,
      transferId: row.transfer_id,
      reference: row.reference,
      idempotencyKey: row.idempotency_key,
      actor: row.actor,
      reason: row.reason,
      createdAt: time(row.created_at),
    }),

    movementToRow: (movement) => ({
      id: movement.id,
      sku: movement.sku,
      warehouse_id: movement.warehouseId,
      type: movement.type,
      delta_available: movement.deltas.available,
      delta_reserved: movement.deltas.reserved,
      delta_damaged: movement.deltas.damaged,
      delta_in_transit: movement.deltas.inTransit,
      delta_backordered: movement.deltas.backordered,
      after_available: movement.after.available,
      after_reserved: movement.after.reserved,
      after_damaged: movement.after.damaged,
      after_in_transit: movement.after.inTransit,
      after_backordered: movement.after.backordered,
      version: movement.version,
      reservation_id: movement.reservationId,
      order_id: movement.orderId,
      transfer_id: movement.transferId,
      reference: movement.reference,
      idempotency_key: movement.idempotencyKey,
      actor: movement.actor,
      reason: movement.reason,
      created_at: toTime(movement.createdAt),
    }),

    ledgerEntryFromRow: (row) => ({
      sku: row.sku,
      warehouseId: row.warehouse_id,
      version: int(row.version),
      type: row.type as MovementType,
      deltas: {
        available: int(row.delta_available),
        reserved: int(row.delta_reserved),
        damaged: int(row.delta_damaged),
        inTransit: int(row.delta_in_transit),
        backordered: int(row.delta_backordered),
      },
      after: {
        available: int(row.after_available),
        reserved: int(row.after_reserved),
        damaged: int(row.after_damaged),
        inTransit: int(row.after_in_transit),
        backordered: int(row.after_backordered),
      },
      createdAt: time(row.created_at),
    }),

    warehouseFromRow: (row) => ({
      id: row.id,
      code: row.code,
      name: row.name,
      address: row.address,
      city: row.city,
      country: row.country,
      region: row.region,
      latitude: row.latitude,
      longitude: row.longitude,
      capacity: intOrNull(codec, row.capacity),
      status: row.status as WarehouseStatus,
      priority: row.priority,
      version: int(row.version),
      createdAt: time(row.created_at),
      updatedAt: time(row.updated_at),
    }),

    warehouseToRow: (warehouse) => ({
      id: warehouse.id,
      code: warehouse.code,
      name: warehouse.name,
      address: warehouse.address,
      city: warehouse.city,
      country: warehouse.country,
      region: warehouse.region,
      latitude: warehouse.latitude,
      longitude: warehouse.longitude,
      capacity: warehouse.capacity,
      status: warehouse.status,
      priority: warehouse.priority,
      version: warehouse.version,
      created_at: toTime(warehouse.createdAt),
      updated_at: toTime(warehouse.updatedAt),
    }),

    transferFromRow: (row) => ({
      id: row.id,
      sku: row.sku,
      fromWarehouseId: row.from_warehouse_id,
      toWarehouseId: row.to_warehouse_id,
      quantity: int(row.quantity),
      status: row.status as TransferStatus,
      createdAt: time(row.created_at),
      shippedAt: maybeTime(row.shipped_at),
      receivedAt: maybeTime(row.received_at),
      cancelledAt: maybeTime(row.cancelled_at),
      version: int(row.version),
    }),

    transferToRow: (transfer) => ({
      id: transfer.id,
      sku: transfer.sku,
      from_warehouse_id: transfer.fromWarehouseId,
      to_warehouse_id: transfer.toWarehouseId,
      quantity: transfer.quantity,
      status: transfer.status,
      created_at: toTime(transfer.createdAt),
      shipped_at: storedTime(transfer.shippedAt),
      received_at: storedTime(transfer.receivedAt),
      cancelled_at: storedTime(transfer.cancelledAt),
      version: transfer.version,
    }),

    alertFromRow: (row) => ({
      id: row.id,
      sku: row.sku,
      warehouseId: row.warehouse_id,
      currentQuantity: int(row.current_quantity),
      threshold: int(row.threshold),
      status: row.status as AlertStatus,
      triggeredAt: time(row.triggered_at),
      acknowledgedAt: maybeTime(row.acknowledged_at),
      acknowledgedBy: row.acknowledged_by,
      resolvedAt: maybeTime(row.resolved_at),
    }),

    alertToRow: (alert) => ({
      id: alert.id,
      sku: alert.sku,
      warehouse_id: alert.warehouseId,
      current_quantity: alert.currentQuantity,
      threshold: alert.threshold,
      status: alert.status,
      triggered_at: toTime(alert.triggeredAt),
      acknowledged_at: storedTime(alert.acknowledgedAt),
      acknowledged_by: alert.acknowledgedBy,
      resolved_at: storedTime(alert.resolvedAt),
    }),

    idempotencyFromRow: (row) => ({
      scope: row.scope,
      key: row.key,
      fingerprint: row.fingerprint,
      result: row.result,
      createdAt: time(row.created_at),
    }),

    idempotencyToRow: (record) => ({
      scope: record.scope,
      key: record.key,
      fingerprint: record.fingerprint,
      result: record.result,
      created_at: toTime(record.createdAt),
    }),

    checkpointFromRow: (row) => ({
      sku: row.sku,
      warehouseId: row.warehouse_id,
      version: int(row.version),
      available: int(row.available),
      reserved: int(row.reserved),
      damaged: int(row.damaged),
      inTransit: int(row.in_transit),
      backordered: int(row.backordered),
      movedAt: time(row.moved_at),
      lastRestockedAt: maybeTime(row.last_restocked_at),
      lastSoldAt: maybeTime(row.last_sold_at),
      verifiedAt: time(row.verified_at),
    }),

    checkpointToRow: (checkpoint) => ({
      sku: checkpoint.sku,
      warehouse_id: checkpoint.warehouseId,
      version: checkpoint.version,
      available: checkpoint.available,
      reserved: checkpoint.reserved,
      damaged: checkpoint.damaged,
      in_transit: checkpoint.inTransit,
      backordered: checkpoint.backordered,
      moved_at: toTime(checkpoint.movedAt),
      last_restocked_at: storedTime(checkpoint.lastRestockedAt),
      last_sold_at: storedTime(checkpoint.lastSoldAt),
      verified_at: toTime(checkpoint.verifiedAt),
    }),
  };
}
