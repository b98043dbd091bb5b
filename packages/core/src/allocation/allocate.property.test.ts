import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from './allocate.js';
import {
  ALLOCATION_STRATEGIES,
  type AllocatableStock,
  type AllocatableWarehouse,
  type AllocationLine,
  type AllocationOptions,
} from './allocation-plan.js';

const SKUS = ['A', 'B', 'C', 'D'];
const WAREHOUSE_IDS = ['W1', 'W2', 'W3', 'W4', 'W5'];
// Pins may also name a warehouse that does not exist.
const PIN_IDS = [...WAREHOUSE_IDS, 'W9'];

const warehouseArbitrary = (id: string): fc.Arbitrary<AllocatableWarehouse> =>
  fc.record({
    id: fc.constant(id),
    status: fc.constantFrom('ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'INACTIVE', 'MAINTENANCE'),
    latitude: fc.option(fc.double({ min: -90, max: 90, noNaN: true })),
    longitude: fc.option(fc.double({ min: -180, max: 180, noNaN: true })),
    priority: fc.integer({ min: 0, max: 3 }),
    country: fc.option(fc.constantFrom('FR', 'DE')),
    region: fc.option(fc.constantFrom('EU', 'US')),
  });

// Every warehouse exists; a few are not ACTIVE. Unknown ids still appear in rows and pins.
const warehousesArbitrary = fc.tuple(...WAREHOUSE_IDS.map(warehouseArbitrary));

const stockArbitrary: fc.Arbitrary<AllocatableStock[]> = fc
  .tuple(
    ...SKUS.flatMap((sku) =>
      [...WAREHOUSE_IDS, 'W9'].map((warehouseId) =>
        fc.option(
          fc.record({
            sku: fc.constant(sku),
            warehouseId: fc.constant(warehouseId),
            available: fc.integer({ min: -2, max: 20 }),
          }),
          { freq: 5 },
        ),
      ),
    ),
  )
  .map((rows) => rows.filter((row): row is AllocatableStock => row !== null));

const linesArbitrary: fc.Arbitrary<AllocationLine[]> = fc.array(
  fc.oneof(
    // Unpinned lines are the common case; pins often land where there is nothing.
    {
      weight: 4,
      arbitrary: fc.record({
        sku: fc.constantFrom(...SKUS),
        quantity: fc.integer({ min: 1, max: 12 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        sku: fc.constantFrom(...SKUS),
        quantity: fc.integer({ min: 1, max: 6 }),
        warehouseId: fc.constantFrom(...PIN_IDS),
      }),
    },
  ),
  { maxLength: 6 },
);

const optionsArbitrary: fc.Arbitrary<AllocationOptions> = fc.record(
  {
    strategy: fc.constantFrom(...ALLOCATION_STRATEGIES),
    location: fc.record({
      latitude: fc.double({ min: -90, max: 90, noNaN: true }),
      longitude: fc.double({ min: -180, max: 180, noNaN: true }),
    }),
    preferCountry: fc.constantFrom('FR', 'DE'),
    preferRegion: fc.constantFrom('EU', 'US'),
  },
  { requiredKeys: [] },
);

/** The oracle, phrased independently of the implementation: per SKU, over ACTIVE rows. */
function expectShortfall(
  lines: readonly AllocationLine[],
  stock: readonly AllocatableStock[],
  warehouses: readonly AllocatableWarehouse[],
): boolean {
  const activeIds = new Set(warehouses.filter((w) => w.status === 'ACTIVE').map((w) => w.id));
  const availableAt = (sku: string, warehouseId: string): number =>
    stock
      .filter((r) => r.sku === sku && r.warehouseId === warehouseId && activeIds.has(warehouseId))
      .reduce((sum, r) => sum + Math.max(0, r.available), 0);
  for (const sku of SKUS) {
    const ofSku = lines.filter((l) => l.sku === sku);
    for (const warehouseId of PIN_IDS) {
      const pinned = ofSku
        .filter((l) => l.warehouseId === warehouseId)
        .reduce((sum, l) => sum + l.quantity, 0);
      if (pinned > availableAt(sku, warehouseId)) return true;
    }
    const requested = ofSku.reduce((sum, l) => sum + l.quantity, 0);
    const total = WAREHOUSE_IDS.reduce((sum, id) => sum + availableAt(sku, id), 0);
    if (requested > total) return true;
  }
  return false;
}

describe('allocate (property)', () => {
  it('plans within availability, fills exactly, and is short iff stock is short', () => {
    fc.assert(
      fc.property(
        linesArbitrary,
        stockArbitrary,
        warehousesArbitrary,
        optionsArbitrary,
        (lines, stock, warehouses, options) => {
          const result = allocate(lines, stock, warehouses, options);
          expect(result.kind === 'shortfall').toBe(expectShortfall(lines, stock, warehouses));

          if (result.kind === 'shortfall') {
            expect(result.shortfalls.length).toBeGreaterThan(0);
            for (const shortfall of result.shortfalls) {
              expect(shortfall.requested).toBeGreaterThan(shortfall.available);
              expect(shortfall.available).toBeGreaterThanOrEqual(0);
            }
            return;
          }

          const active = new Set(warehouses.filter((w) => w.status === 'ACTIVE').map((w) => w.id));
          const seen = new Set<string>();
          for (const allocation of result.allocations) {
            const key = `${allocation.sku}/${allocation.warehouseId}`;
            expect(seen.has(key)).toBe(false);
            seen.add(key);
            expect(active.has(allocation.warehouseId)).toBe(true);
            expect(Number.isInteger(allocation.quantity)).toBe(true);
            expect(allocation.quantity).toBeGreaterThan(0);
            const row = stock.find(
              (r) => r.sku === allocation.sku && r.warehouseId === allocation.warehouseId,
            );
            expect(allocation.quantity).toBeLessThanOrEqual(row?.available ?? 0);
          }

          for (const sku of SKUS) {
            const requested = lines
              .filter((l) => l.sku === sku)
              .reduce((sum, l) => sum + l.quantity, 0);
            const allocated = result.allocations
              .filter((a) => a.sku === sku)
              .reduce((sum, a) => sum + a.quantity, 0);
            expect(allocated).toBe(requested);
            for (const warehouseId of WAREHOUSE_IDS) {
              const pinned = lines
                .filter((l) => l.sku === sku && l.warehouseId === warehouseId)
                .reduce((sum, l) => sum + l.quantity, 0);
              const there = result.allocations.find(
                (a) => a.sku === sku && a.warehouseId === warehouseId,
              );
              expect(there?.quantity ?? 0).toBeGreaterThanOrEqual(pinned);
            }
          }

          const keys = result.allocations.map((a) => [a.sku, a.warehouseId] as const);
          const sorted = [...keys].sort(([skuA, idA], [skuB, idB]) =>
            skuA === skuB ? (idA < idB ? -1 : 1) : skuA < skuB ? -1 : 1,
          );
          expect(keys).toEqual(sorted);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the same result for shuffled inputs', () => {
    fc.assert(
      fc.property(
        linesArbitrary,
        stockArbitrary,
        warehousesArbitrary,
        optionsArbitrary,
        (lines, stock, warehouses, options) => {
          expect(
            allocate(
              [...lines].reverse(),
              [...stock].reverse(),
              [...warehouses].reverse(),
              options,
            ),
          ).toEqual(allocate(lines, stock, warehouses, options));
        },
      ),
      { numRuns: 300 },
    );
  });
});
