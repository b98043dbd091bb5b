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
import type { Insertable, Selectable } from 'kysely';
import type {
  AlertTable,
  IdempotencyTable,
  MovementTable,
  OutboxTable,
  ReservationTable,
  StockTable,
  TransferTable,
  WarehouseTable,
} from './tables.js';

// Row (snake_case, int8 as text) ↔ domain (camelCase, numbers). No logic beyond the mapping.

/** int8 and numeric come back as strings; every quantity fits a double exactly (≤ 2^53). */
export function toNumber(value: string | number | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

function toNullableNumber(value: string | number | null): number | null {
  return value === null ? null : toNumber(value);
}

/** A reservation header joined with its lines (aggregated to JSON, in line order). */
export type ReservationRow = Selectable<ReservationTable> & {
  readonly lines: ReadonlyArray<{
    readonly sku: string;
    readonly warehouseId: string;
    readonly quantity: number | string;
    readonly refunded: number | string;
  }> | null;
};

/** An outbox row with its ordering key, as the claim query selects it. */
export type OutboxRow = Pick<
  Selectable<OutboxTable>,
  'event_id' | 'event' | 'attempts' | 'enqueued_us' | 'ordinal'
>;

export function stockFromRow(row: Selectable<StockTable>): InventoryStock {
  return {
    sku: row.sku,
    warehouseId: row.warehouse_id,
    available: toNumber(row.available),
    reserved: toNumber(row.reserved),
    damaged: toNumber(row.damaged),
    inTransit: toNumber(row.in_transit),
    total: toNumber(row.total),
    lowStockThreshold: toNumber(row.low_stock_threshold),
    reorderPoint: toNumber(row.reorder_point),
    maxStockLevel: toNullableNumber(row.max_stock_level),
    version: toNumber(row.version),
    lastRestockedAt: row.last_restocked_at,
    lastSoldAt: row.last_sold_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function stockToRow(stock: InventoryStock): Insertable<StockTable> {
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
    last_restocked_at: stock.lastRestockedAt,
    last_sold_at: stock.lastSoldAt,
    created_at: stock.createdAt,
    updated_at: stock.updatedAt,
  };
}

export function reservationFromRow(row: ReservationRow): Reservation {
  const lines: ReservationLine[] = (row.lines ?? []).map((line) => ({
    sku: line.sku,
    warehouseId: line.warehouseId,
    quantity: toNumber(line.quantity),
    refunded: toNumber(line.refunded),
  }));
  return {
    id: row.id,
    status: row.status as ReservationStatus,
    orderId: row.order_id,
    userId: row.user_id,
    lines,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    committedAt: row.committed_at,
    releasedAt: row.released_at,
    version: toNumber(row.version),
  };
}

export function reservationToRow(reservation: Reservation): Insertable<ReservationTable> {
  return {
    id: reservation.id,
    status: reservation.status,
    order_id: reservation.orderId,
    user_id: reservation.userId,
    created_at: reservation.createdAt,
    expires_at: reservation.expiresAt,
    committed_at: reservation.committedAt,
    released_at: reservation.releasedAt,
    version: reservation.version,
  };
}

export function movementFromRow(row: Selectable<MovementTable>): Movement {
  return {
    id: row.id,
    sku: row.sku,
    warehouseId: row.warehouse_id,
    type: row.type as MovementType,
    deltas: {
      available: toNumber(row.delta_available),
      reserved: toNumber(row.delta_reserved),
      damaged: toNumber(row.delta_damaged),
      inTransit: toNumber(row.delta_in_transit),
    },
    after: {
      available: toNumber(row.after_available),
      reserved: toNumber(row.after_reserved),
      damaged: toNumber(row.after_damaged),
      inTransit: toNumber(row.after_in_transit),
    },
    version: toNumber(row.version),
    reservationId: row.reservation_id,
    orderId: row.order_id,
    transferId: row.transfer_id,
    reference: row.reference,
    idempotencyKey: row.idempotency_key,
    actor: row.actor,
    reason: row.reason,
    createdAt: row.created_at,
  };
}

export function movementToRow(movement: Movement): Insertable<MovementTable> {
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
    created_at: movement.createdAt,
  };
}

/** The outbox position: zero-padded so that string order is the claim order. */
export function outboxPosition(row: OutboxRow): string {
  return `${row.enqueued_us.padStart(17, '0')}.${String(row.ordinal).padStart(6, '0')}.${row.event_id}`;
}

export function outboxEntryFromRow(row: OutboxRow): OutboxEntry {
  return {
    position: outboxPosition(row),
    event: (typeof row.event === 'string' ? JSON.parse(row.event) : row.event) as CloudEvent,
    attempts: row.attempts,
  };
}

export function outboxToRow(event: CloudEvent, ordinal: number): Insertable<OutboxTable> {
  return {
    event_id: event.id,
    subject: event.subject,
    type: event.type,
    event: JSON.stringify(event),
    event_time: new Date(event.time),
    ordinal,
  };
}

export function idempotencyFromRow(row: Selectable<IdempotencyTable>): IdempotencyRecord {
  return {
    scope: row.scope,
    key: row.key,
    fingerprint: row.fingerprint,
    result: row.result,
    createdAt: row.created_at,
  };
}

export function idempotencyToRow(record: IdempotencyRecord): Insertable<IdempotencyTable> {
  return {
    scope: record.scope,
    key: record.key,
    fingerprint: record.fingerprint,
    result: record.result,
    created_at: record.createdAt,
  };
}

export function warehouseFromRow(row: Selectable<WarehouseTable>): Warehouse {
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
    capacity: toNullableNumber(row.capacity),
    status: row.status as WarehouseStatus,
    priority: row.priority,
    version: toNumber(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function warehouseToRow(warehouse: Warehouse): Insertable<WarehouseTable> {
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
    created_at: warehouse.createdAt,
    updated_at: warehouse.updatedAt,
  };
}

export function transferFromRow(row: Selectable<TransferTable>): Transfer {
  return {
    id: row.id,
    sku: row.sku,
    fromWarehouseId: row.from_warehouse_id,
    toWarehouseId: row.to_warehouse_id,
    quantity: toNumber(row.quantity),
    status: row.status as TransferStatus,
    createdAt: row.created_at,
    shippedAt: row.shipped_at,
    receivedAt: row.received_at,
    cancelledAt: row.cancelled_at,
    version: toNumber(row.version),
  };
}

export function transferToRow(transfer: Transfer): Insertable<TransferTable> {
  return {
    id: transfer.id,
    sku: transfer.sku,
    from_warehouse_id: transfer.fromWarehouseId,
    to_warehouse_id: transfer.toWarehouseId,
    quantity: transfer.quantity,
    status: transfer.status,
    created_at: transfer.createdAt,
    shipped_at: transfer.shippedAt,
    received_at: transfer.receivedAt,
    cancelled_at: transfer.cancelledAt,
    version: transfer.version,
  };
}

export function alertFromRow(row: Selectable<AlertTable>): LowStockAlert {
  return {
    id: row.id,
    sku: row.sku,
    warehouseId: row.warehouse_id,
    currentQuantity: toNumber(row.current_quantity),
    threshold: toNumber(row.threshold),
    status: row.status as AlertStatus,
    triggeredAt: row.triggered_at,
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at,
  };
}

export function alertToRow(alert: LowStockAlert): Insertable<AlertTable> {
  return {
    id: alert.id,
    sku: alert.sku,
    warehouse_id: alert.warehouseId,
    current_quantity: alert.currentQuantity,
    threshold: alert.threshold,
    status: alert.status,
    triggered_at: alert.triggeredAt,
    acknowledged_at: alert.acknowledgedAt,
    acknowledged_by: alert.acknowledgedBy,
    resolved_at: alert.resolvedAt,
  };
}
