import type {
  AlertStatus,
  CloudEvent,
  InventoryStock,
  LowStockAlert,
  Movement,
  MovementType,
  Reservation,
  ReservationLine,
  ReservationStatus,
  Transfer,
  TransferStatus,
  Warehouse,
  WarehouseStatus,
} from '@stockroom/core';
import type { IdempotencyRecord, OutboxEntry } from '@stockroom/core/adapter-kit';
import type {
  AlertTable,
  IdempotencyKeyTable,
  MovementTable,
  ReservationLineTable,
  ReservationTable,
  StockTable,
  TransferTable,
  WarehouseTable,
} from './tables.js';

// Rows ↔ domain values. Times are stored as integer milliseconds and come back as Dates;
// status columns are constrained by CHECKs, so the casts to the domain unions are safe.

/** A Date as stored. */
export function toMillis(date: Date): number {
  return date.getTime();
}

/** A nullable Date as stored. */
export function toMillisOrNull(date: Date | null): number | null {
  return date === null ? null : date.getTime();
}

function toDateOrNull(millis: number | null): Date | null {
  return millis === null ? null : new Date(millis);
}

/** A stock row → domain. */
export function stockFromRow(row: StockTable): InventoryStock {
  return {
    sku: row.sku,
    warehouseId: row.warehouse_id,
    available: row.available,
    reserved: row.reserved,
    damaged: row.damaged,
    inTransit: row.in_transit,
    total: row.total,
    lowStockThreshold: row.low_stock_threshold,
    reorderPoint: row.reorder_point,
    maxStockLevel: row.max_stock_level,
    version: row.version,
    lastRestockedAt: toDateOrNull(row.last_restocked_at),
    lastSoldAt: toDateOrNull(row.last_sold_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Domain → a stock row. */
export function stockToRow(stock: InventoryStock): StockTable {
  return {
    sku: stock.sku,
    warehouse_id: stock.warehouseId,
    available: stock.available,
    reserved: stock.reserved,
    damaged: stock.damaged,
    in_transit: stock.inTransit,
    total: stock.total,
    low_stock_threshold: stock.lowStockThreshold,
    reorder_point: stock.reorderPoint,
    max_stock_level: stock.maxStockLevel,
    version: stock.version,
    last_restocked_at: toMillisOrNull(stock.lastRestockedAt),
    last_sold_at: toMillisOrNull(stock.lastSoldAt),
    created_at: toMillis(stock.createdAt),
    updated_at: toMillis(stock.updatedAt),
  };
}

/** A reservation row and its lines (in `line_no` order) → domain. */
export function reservationFromRows(
  row: ReservationTable,
  lines: readonly ReservationLineTable[],
): Reservation {
  return {
    id: row.id,
    status: row.status as ReservationStatus,
    orderId: row.order_id,
    userId: row.user_id,
    lines: lines.map(
      (line): ReservationLine => ({
        sku: line.sku,
        warehouseId: line.warehouse_id,
        quantity: line.quantity,
        refunded: line.refunded,
      }),
    ),
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    committedAt: toDateOrNull(row.committed_at),
    releasedAt: toDateOrNull(row.released_at),
    version: row.version,
  };
}

/** Domain → a reservation row (without its lines). */
export function reservationToRow(reservation: Reservation): ReservationTable {
  return {
    id: reservation.id,
    status: reservation.status,
    order_id: reservation.orderId,
    user_id: reservation.userId,
    created_at: toMillis(reservation.createdAt),
    expires_at: toMillis(reservation.expiresAt),
    committed_at: toMillisOrNull(reservation.committedAt),
    released_at: toMillisOrNull(reservation.releasedAt),
    version: reservation.version,
  };
}

/** Domain → the reservation's line rows, numbered in order from 0. */
export function reservationLinesToRows(reservation: Reservation): ReservationLineTable[] {
  return reservation.lines.map((line, index) => ({
    reservation_id: reservation.id,
    line_no: index,
    sku: line.sku,
    warehouse_id: line.warehouseId,
    quantity: line.quantity,
    refunded: line.refunded,
  }));
}

/** A movement row → domain. */
export function movementFromRow(row: MovementTable): Movement {
  return {
    id: row.id,
    sku: row.sku,
    warehouseId: row.warehouse_id,
    type: row.type as MovementType,
    deltas: {
      available: row.delta_available,
      reserved: row.delta_reserved,
      damaged: row.delta_damaged,
      inTransit: row.delta_in_transit,
    },
    after: {
      available: row.after_available,
      reserved: row.after_reserved,
      damaged: row.after_damaged,
      inTransit: row.after_in_transit,
    },
    version: row.version,
    reservationId: row.reservation_id,
    orderId: row.order_id,
    transferId: row.transfer_id,
    reference: row.reference,
    idempotencyKey: row.idempotency_key,
    actor: row.actor,
    reason: row.reason,
    createdAt: new Date(row.created_at),
  };
}

/** Domain → a movement row. */
export function movementToRow(movement: Movement): MovementTable {
  return {
    id: movement.id,
    sku: movement.sku,
    warehouse_id: movement.warehouseId,
    type: movement.type,
    delta_available: movement.deltas.available,
    delta_reserved: movement.deltas.reserved,
    delta_damaged: movement.deltas.damaged,
    delta_in_transit: movement.deltas.inTransit,
    after_available: movement.after.available,
    after_reserved: movement.after.reserved,
    after_damaged: movement.after.damaged,
    after_in_transit: movement.after.inTransit,
    version: movement.version,
    reservation_id: movement.reservationId,
    order_id: movement.orderId,
    transfer_id: movement.transferId,
    reference: movement.reference,
    idempotency_key: movement.idempotencyKey,
    actor: movement.actor,
    reason: movement.reason,
    created_at: toMillis(movement.createdAt),
  };
}

/** A warehouse row → domain. */
export function warehouseFromRow(row: WarehouseTable): Warehouse {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    address: row.address,
    city: row.city,
    country: row.country,
    region: row.region,
    latitude: row.latitude,
    longitude: row.longitude,
    capacity: row.capacity,
    status: row.status as WarehouseStatus,
    priority: row.priority,
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Domain → a warehouse row. */
export function warehouseToRow(warehouse: Warehouse): WarehouseTable {
  return {
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
    created_at: toMillis(warehouse.createdAt),
    updated_at: toMillis(warehouse.updatedAt),
  };
}

/** A transfer row → domain. */
export function transferFromRow(row: TransferTable): Transfer {
  return {
    id: row.id,
    sku: row.sku,
    fromWarehouseId: row.from_warehouse_id,
    toWarehouseId: row.to_warehouse_id,
    quantity: row.quantity,
    status: row.status as TransferStatus,
    createdAt: new Date(row.created_at),
    shippedAt: toDateOrNull(row.shipped_at),
    receivedAt: toDateOrNull(row.received_at),
    cancelledAt: toDateOrNull(row.cancelled_at),
    version: row.version,
  };
}

/** Domain → a transfer row. */
export function transferToRow(transfer: Transfer): TransferTable {
  return {
    id: transfer.id,
    sku: transfer.sku,
    from_warehouse_id: transfer.fromWarehouseId,
    to_warehouse_id: transfer.toWarehouseId,
    quantity: transfer.quantity,
    status: transfer.status,
    created_at: toMillis(transfer.createdAt),
    shipped_at: toMillisOrNull(transfer.shippedAt),
    received_at: toMillisOrNull(transfer.receivedAt),
    cancelled_at: toMillisOrNull(transfer.cancelledAt),
    version: transfer.version,
  };
}

/** An alert row → domain. */
export function alertFromRow(row: AlertTable): LowStockAlert {
  return {
    id: row.id,
    sku: row.sku,
    warehouseId: row.warehouse_id,
    currentQuantity: row.current_quantity,
    threshold: row.threshold,
    status: row.status as AlertStatus,
    triggeredAt: new Date(row.triggered_at),
    acknowledgedAt: toDateOrNull(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: toDateOrNull(row.resolved_at),
  };
}

/** Domain → an alert row. */
export function alertToRow(alert: LowStockAlert): AlertTable {
  return {
    id: alert.id,
    sku: alert.sku,
    warehouse_id: alert.warehouseId,
    current_quantity: alert.currentQuantity,
    threshold: alert.threshold,
    status: alert.status,
    triggered_at: toMillis(alert.triggeredAt),
    acknowledged_at: toMillisOrNull(alert.acknowledgedAt),
    acknowledged_by: alert.acknowledgedBy,
    resolved_at: toMillisOrNull(alert.resolvedAt),
  };
}

/** An idempotency row → domain. */
export function idempotencyFromRow(row: IdempotencyKeyTable): IdempotencyRecord {
  return {
    scope: row.scope,
    key: row.key,
    fingerprint: row.fingerprint,
    result: row.result,
    createdAt: new Date(row.created_at),
  };
}

/** Domain → an idempotency row. */
export function idempotencyToRow(record: IdempotencyRecord): IdempotencyKeyTable {
  return {
    scope: record.scope,
    key: record.key,
    fingerprint: record.fingerprint,
    result: record.result,
    created_at: toMillis(record.createdAt),
  };
}

/** Outbox positions are zero-padded so they also sort as text, as the memory store's do. */
export function outboxEntryFromRow(row: {
  position: number;
  event: string;
  attempts: number;
}): OutboxEntry {
  return {
    position: String(row.position).padStart(16, '0'),
    event: JSON.parse(row.event) as CloudEvent,
    attempts: row.attempts,
  };
}
