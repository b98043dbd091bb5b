import type { IncomingReceipt, ReceiptStatus } from '@stockroom/core';
import type { ReceiptRows, ReservationRows } from '@stockroom/core/adapter-kit';
import { type Selectable, sql } from 'kysely';
import { timeOrNull, toTimeOrNull } from './codec.js';
import type { KitContext } from './shared-reads.js';
import type { IncomingReceiptTable } from './tables.js';
import { chunks, distinct, outcome } from './write-outcome.js';

/** What differs between engines in the receipt rows. */
export interface ReceiptRowsDialect {
  /** `get(…, { lock })` and `open(…, { lock })` take row locks (FOR UPDATE). */
  readonly rowLocks: boolean;
  /** The store's reservation rows, to load (and lock) the reservations `preorders` finds. */
  readonly reservations: ReservationRows;
}

const OPEN: readonly ReceiptStatus[] = ['EXPECTED', 'PARTIALLY_RECEIVED'];

/**
 * Incoming receipts in one store transaction (`incoming_receipts`, migration 0008). Writes are
 * compare-and-set on `version`; `preorders` finds the ACTIVE reservations whose lines point at
 * a receipt through `reservation_lines.receipt_id` and loads them through the store's own
 * reservation rows.
 */
export function receiptRows(context: KitContext, dialect: ReceiptRowsDialect): ReceiptRows {
  const { db, codec } = context;
  const fromRow = (row: Selectable<IncomingReceiptTable>): IncomingReceipt => ({
    id: row.id,
    sku: row.sku,
    warehouseId: row.warehouse_id,
    quantity: codec.int(row.quantity),
    receivedQuantity: codec.int(row.received_quantity),
    preorderedQuantity: codec.int(row.preordered_quantity),
    expectedAt: codec.time(row.expected_at),
    reference: row.reference,
    status: row.status as ReceiptStatus,
    createdAt: codec.time(row.created_at),
    receivedAt: timeOrNull(codec, row.received_at),
    cancelledAt: timeOrNull(codec, row.cancelled_at),
    version: codec.int(row.version),
  });
  const changing = (receipt: IncomingReceipt) => ({
    received_quantity: receipt.receivedQuantity,
    preordered_quantity: receipt.preorderedQuantity,
    status: receipt.status,
    received_at: toTimeOrNull(codec, receipt.receivedAt),
    cancelled_at: toTimeOrNull(codec, receipt.cancelledAt),
    version: receipt.version,
  });
  return {
    async get(id, options = {}) {
      let query = db.selectFrom('incoming_receipts').selectAll().where('id', '=', id);
      if (options.lock && dialect.rowLocks) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    async open(skus, options = {}) {
      const receipts: IncomingReceipt[] = [];
      for (const part of chunks(distinct(skus))) {
        let query = db
          .selectFrom('incoming_receipts')
          .selectAll()
          .where('sku', 'in', part)
          .where('status', 'in', [...OPEN])
          .orderBy('id');
        if (options.lock && dialect.rowLocks) query = query.forUpdate();
        for (const row of await query.execute()) receipts.push(fromRow(row));
      }
      return receipts.sort(
        (left, right) =>
          left.expectedAt.getTime() - right.expectedAt.getTime() ||
          left.createdAt.getTime() - right.createdAt.getTime() ||
          (left.id < right.id ? -1 : left.id > right.id ? 1 : 0),
      );
    },

    async insert(receipt) {
      await db
        .insertInto('incoming_receipts')
        .values({
          id: receipt.id,
          sku: receipt.sku,
          warehouse_id: receipt.warehouseId,
          quantity: receipt.quantity,
          expected_at: codec.toTime(receipt.expectedAt),
          reference: receipt.reference,
          created_at: codec.toTime(receipt.createdAt),
          ...changing(receipt),
        })
        .execute();
    },

    async update(next, expectedVersion) {
      const result = await db
        .updateTable('incoming_receipts')
        .set(changing(next))
        .where('id', '=', next.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return outcome(result.numUpdatedRows);
    },

    async list(filter, page) {
      let query = db.selectFrom('incoming_receipts').selectAll();
      if (filter.sku !== undefined) query = query.where('sku', '=', filter.sku);
      if (filter.warehouseId !== undefined)
        query = query.where('warehouse_id', '=', filter.warehouseId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (page.after !== undefined) query = query.where('id', '<', page.after);
      const rows = await query.orderBy('id', 'desc').limit(page.limit).execute();
      return rows.map(fromRow);
    },

    async preorderedUnits(receiptIds) {
      const sums = new Map<string, number>();
      // The partial index on lines with a receipt finds them.
      for (const part of chunks(distinct(receiptIds))) {
        const rows = await db
          .selectFrom('reservation_lines as line')
          .innerJoin('reservations as reservation', 'reservation.id', 'line.reservation_id')
          .where('line.receipt_id', 'in', part)
          .where('reservation.status', '=', 'ACTIVE')
          .select([
            'line.receipt_id as receipt_id',
            sql<string | number>`sum(line.preordered)`.as('units'),
          ])
          .groupBy('line.receipt_id')
          .execute();
        for (const row of rows) {
          if (row.receipt_id !== null) sums.set(row.receipt_id, codec.int(row.units));
        }
      }
      return sums;
    },

    async preorders(receiptId, options = {}) {
      const found = await db
        .selectFrom('reservation_lines as line')
        .innerJoin('reservations as reservation', 'reservation.id', 'line.reservation_id')
        .select(['reservation.id as id', 'reservation.created_at as created_at'])
        .distinct()
        .where('line.receipt_id', '=', receiptId)
        .where('line.preordered', '>', 0)
        .where('reservation.status', '=', 'ACTIVE')
        .orderBy('reservation.created_at')
        .orderBy('reservation.id')
        .execute();
      if (found.length === 0) return [];
      const loaded = await dialect.reservations.get(
        found.map((row) => row.id),
        options.lock ? { lock: true } : {},
      );
      const byId = new Map(loaded.map((reservation) => [reservation.id, reservation]));
      // Re-checked after the lock: a reservation released meanwhile is left out.
      return found
        .map((row) => byId.get(row.id))
        .filter(
          (reservation): reservation is NonNullable<typeof reservation> =>
            reservation !== undefined && reservation.status === 'ACTIVE',
        );
    },
  };
}
