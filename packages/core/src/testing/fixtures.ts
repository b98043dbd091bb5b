import type { Stockroom } from '../create-stockroom.js';
import {
  addQuantities,
  type IncomingReceipt,
  type InventoryStock,
  type Movement,
  type Reservation,
  type StockQuantities,
  stockKeyOf,
  ZERO_QUANTITIES,
} from '../domain/index.js';
import type { StockStore } from '../ports/stock-store.js';

/** Reads every page of a paged store read. */
export async function readAll<T>(
  read: (page: {
    limit: number;
    cursor: string | null;
  }) => Promise<{ items: readonly T[]; nextCursor: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await read({ limit: 1000, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** A difference between a stock row and its ledger replay. */
export interface ReplayMismatch {
  readonly sku: string;
  readonly warehouseId: string;
  readonly stored: StockQuantities & { readonly version: number };
  readonly replayed: StockQuantities & { readonly version: number };
}

/**
 * Replays the whole ledger from zero and compares it with every stock row (quantities and
 * version), and checks each movement's `after` equals the running sum. Returns the mismatches
 * (empty when the invariant holds).
 */
export async function replayLedger(store: StockStore): Promise<ReplayMismatch[]> {
  const rows = await readAll<InventoryStock>((page) => store.reads.allStock(page));
  const movements = await readAll<Movement>((page) => store.reads.ledger({}, page));
  const replayed = new Map<string, StockQuantities & { version: number }>();
  const mismatches: ReplayMismatch[] = [];
  for (const movement of movements) {
    const key = stockKeyOf(movement);
    const current = replayed.get(key) ?? { ...ZERO_QUANTITIES, version: 0 };
    const next = { ...addQuantities(current, movement.deltas), version: current.version + 1 };
    if (
      next.version !== movement.version ||
      next.available !== movement.after.available ||
      next.reserved !== movement.after.reserved ||
      next.damaged !== movement.after.damaged ||
      next.inTransit !== movement.after.inTransit ||
      next.backordered !== movement.after.backordered
    ) {
      mismatches.push({
        sku: movement.sku,
        warehouseId: movement.warehouseId,
        stored: { ...movement.after, version: movement.version },
        replayed: next,
      });
    }
    replayed.set(key, next);
  }
  for (const row of rows) {
    const replay = replayed.get(stockKeyOf(row)) ?? { ...ZERO_QUANTITIES, version: 0 };
    if (
      replay.available !== row.available ||
      replay.reserved !== row.reserved ||
      replay.damaged !== row.damaged ||
      replay.inTransit !== row.inTransit ||
      replay.backordered !== row.backordered ||
      replay.version !== row.version
    ) {
      mismatches.push({
        sku: row.sku,
        warehouseId: row.warehouseId,
        stored: {
          available: row.available,
          reserved: row.reserved,
          damaged: row.damaged,
          inTransit: row.inTransit,
          backordered: row.backordered,
          version: row.version,
        },
        replayed: replay,
      });
    }
  }
  return mismatches;
}

/** Invariant 2: for each row, `reserved` equals the sum of ACTIVE reservation lines on it. */
export async function reservedMismatches(store: StockStore): Promise<string[]> {
  const rows = await readAll<InventoryStock>((page) => store.reads.allStock(page));
  const holds = new Map(
    (await store.reads.activeHolds()).map((hold) => [stockKeyOf(hold), hold.quantity]),
  );
  return rows
    .filter((row) => row.reserved !== (holds.get(stockKeyOf(row)) ?? 0))
    .map(
      (row) =>
        `${row.sku}@${row.warehouseId}: reserved ${row.reserved}, holds ${holds.get(stockKeyOf(row)) ?? 0}`,
    );
}

/**
 * The extended invariant of backorders: for each row, `backordered` equals the backordered
 * units of the ACTIVE and COMMITTED reservation lines on it (empty when it holds).
 */
export async function backorderedMismatches(store: StockStore): Promise<string[]> {
  const rows = await readAll<InventoryStock>((page) => store.reads.allStock(page));
  const waiting = new Map<string, number>();
  for (const status of ['ACTIVE', 'COMMITTED'] as const) {
    const reservations = await readAll<Reservation>((page) =>
      store.reads.reservationsByStatus(status, page),
    );
    for (const reservation of reservations) {
      for (const line of reservation.lines) {
        const key = stockKeyOf(line);
        waiting.set(key, (waiting.get(key) ?? 0) + line.backordered);
      }
    }
  }
  return rows
    .filter((row) => row.backordered !== (waiting.get(stockKeyOf(row)) ?? 0))
    .map(
      (row) =>
        `${row.sku}@${row.warehouseId}: backordered ${row.backordered}, lines ${waiting.get(stockKeyOf(row)) ?? 0}`,
    );
}

/** Creates warehouses for tests: Paris, London and Berlin with coordinates, all ACTIVE. */
export async function seedWarehouses(stockroom: Stockroom): Promise<void> {
  await stockroom.warehouses.create({
    id: 'paris',
    name: 'Paris',
    city: 'Paris',
    country: 'FR',
    region: 'EU',
    latitude: 48.8566,
    longitude: 2.3522,
    priority: 2,
  });
  await stockroom.warehouses.create({
    id: 'london',
    name: 'London',
    city: 'London',
    country: 'GB',
    region: 'EU',
    latitude: 51.5074,
    longitude: -0.1278,
    priority: 1,
  });
  await stockroom.warehouses.create({
    id: 'berlin',
    name: 'Berlin',
    city: 'Berlin',
    country: 'DE',
    region: 'EU',
    latitude: 52.52,
    longitude: 13.405,
    priority: 3,
  });
}

/** Restocks `quantity` units of `sku` into `warehouseId`. */
export async function stock(
  stockroom: Stockroom,
  sku: string,
  warehouseId: string,
  quantity: number,
): Promise<void> {
  await stockroom.adjustments.adjust({ sku, warehouseId, type: 'RESTOCK', quantity });
}

/**
 * Checks the preorder invariant: every receipt's `preorderedQuantity` equals the sum of the
 * `preordered` units of the ACTIVE reservation lines pointing at it, and never exceeds the units
 * still expected. Returns the mismatches (empty when it holds).
 */
export async function preorderMismatches(stockroom: Stockroom): Promise<string[]> {
  const receipts = await readAll<IncomingReceipt>((page) => stockroom.incoming.list({}, page));
  const active = await readAll<Reservation>((page) =>
    stockroom.store.reads.reservationsByStatus('ACTIVE', page),
  );
  const promised = new Map<string, number>();
  for (const reservation of active) {
    for (const line of reservation.lines) {
      if (line.receiptId === null) continue;
      promised.set(line.receiptId, (promised.get(line.receiptId) ?? 0) + line.preordered);
    }
  }
  const mismatches: string[] = [];
  for (const receipt of receipts) {
    const sum = promised.get(receipt.id) ?? 0;
    if (receipt.preorderedQuantity !== sum)
      mismatches.push(
        `${receipt.id}: preorderedQuantity ${receipt.preorderedQuantity}, lines ${sum}`,
      );
    if (receipt.preorderedQuantity > receipt.quantity - receipt.receivedQuantity)
      mismatches.push(`${receipt.id}: more preordered than still expected`);
    promised.delete(receipt.id);
  }
  for (const [id, sum] of promised)
    if (sum > 0) mismatches.push(`${id}: unknown receipt, lines ${sum}`);
  return mismatches;
}
