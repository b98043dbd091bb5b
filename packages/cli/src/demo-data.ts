import type { CreateWarehouseRequest, Stockroom } from '@stockroom/core';

/** The demo warehouses: five cities on two continents. */
export const DEMO_WAREHOUSES: readonly CreateWarehouseRequest[] = [
  {
    id: 'paris',
    name: 'Paris',
    city: 'Paris',
    country: 'FR',
    latitude: 48.8566,
    longitude: 2.3522,
    capacity: 250_000,
    priority: 10,
  },
  {
    id: 'berlin',
    name: 'Berlin',
    city: 'Berlin',
    country: 'DE',
    latitude: 52.52,
    longitude: 13.405,
    capacity: 250_000,
    priority: 20,
  },
  {
    id: 'madrid',
    name: 'Madrid',
    city: 'Madrid',
    country: 'ES',
    latitude: 40.4168,
    longitude: -3.7038,
    capacity: 150_000,
    priority: 30,
  },
  {
    id: 'london',
    name: 'London',
    city: 'London',
    country: 'GB',
    latitude: 51.5072,
    longitude: -0.1276,
    capacity: 150_000,
    priority: 40,
  },
  {
    id: 'new-york',
    name: 'New York',
    city: 'New York',
    country: 'US',
    latitude: 40.7128,
    longitude: -74.006,
    capacity: 300_000,
    priority: 50,
  },
];

const PRODUCTS = [
  'TSHIRT',
  'HOODIE',
  'SNEAKER',
  'CAP',
  'JACKET',
  'SOCKS',
  'JEANS',
  'SCARF',
  'BEANIE',
  'SHORTS',
  'POLO',
  'DRESS',
];
const COLOURS = ['BLACK', 'WHITE', 'NAVY', 'RED', 'GREEN'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];

/** The stock rows of the tour, fixed so the README's outputs match. */
const TOUR_ROWS = [
  { sku: 'TSHIRT-BLACK-M', warehouseId: 'paris', quantity: 40 },
  { sku: 'TSHIRT-BLACK-M', warehouseId: 'berlin', quantity: 25 },
  { sku: 'TSHIRT-BLACK-M', warehouseId: 'madrid', quantity: 12 },
];

/** A small deterministic generator (mulberry32), so every seed loads the same data. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Every demo stock row: 300 SKUs, each in two to four warehouses. */
export function demoStockRows(): { sku: string; warehouseId: string; quantity: number }[] {
  const random = generator(20_260_101);
  const rows = [...TOUR_ROWS];
  const tour = new Set(TOUR_ROWS.map((row) => row.sku));
  for (const product of PRODUCTS) {
    for (const colour of COLOURS) {
      for (const size of SIZES) {
        const sku = `${product}-${colour}-${size}`;
        if (tour.has(sku)) continue;
        const count = 2 + Math.floor(random() * 3);
        const start = Math.floor(random() * DEMO_WAREHOUSES.length);
        for (let offset = 0; offset < count; offset += 1) {
          const warehouse = DEMO_WAREHOUSES[(start + offset) % DEMO_WAREHOUSES.length]!;
          // About one row in ten starts at or below the default low-stock threshold (10).
          const quantity =
            random() < 0.1 ? 1 + Math.floor(random() * 8) : 15 + Math.floor(random() * 110);
          rows.push({ sku, warehouseId: warehouse.id, quantity });
        }
      }
    }
  }
  return rows;
}

/**
 * Loads the demo data unless the store already holds warehouses. Safe to run twice, and to
 * resume: every command carries an idempotency key.
 * @returns what it did
 */
export async function seedDemoData(
  stockroom: Stockroom,
): Promise<{ seeded: boolean; warehouses: number; rows: number; skus: number }> {
  const existing = await stockroom.warehouses.list({ limit: 1 });
  const context = (key: string) => ({
    actor: 'system:demo',
    reason: 'demo data',
    idempotencyKey: `demo:${key}`,
    idempotencyScope: 'demo',
  });
  const rows = demoStockRows();
  const skus = new Set(rows.map((row) => row.sku)).size;
  if (existing.items.length > 0 && !(await isPartialSeed(stockroom))) {
    return { seeded: false, warehouses: 0, rows: 0, skus: 0 };
  }
  for (const warehouse of DEMO_WAREHOUSES) {
    const found = await stockroom.warehouses.get(warehouse.id);
    if (!found) await stockroom.warehouses.create(warehouse, context(`warehouse:${warehouse.id}`));
  }
  const result = await stockroom.adjustments.bulkUpdate(
    { mode: 'set', atomic: true, items: rows },
    context('stock'),
  );
  if (result.failed.length > 0) {
    throw new Error(
      `demo data: ${result.failed.length} rows failed, the first: ${result.failed[0]?.detail}`,
    );
  }
  return { seeded: true, warehouses: DEMO_WAREHOUSES.length, rows: rows.length, skus };
}

/** True when the demo warehouses exist but their stock was never loaded (an interrupted seed). */
async function isPartialSeed(stockroom: Stockroom): Promise<boolean> {
  const paris = await stockroom.warehouses.get('paris');
  if (!paris) return false;
  const page = await stockroom.availability.listByWarehouse('paris', { limit: 1 });
  return page.items.length === 0;
}
