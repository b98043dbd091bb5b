import type { LibraryTarget } from './library-target.js';
import type { ReservationTarget } from './reservation-target.js';

/** The components of the bench's kit, after the hot SKU itself (1 unit per kit): SKU suffix × units. */
const OTHER_COMPONENTS = [
  { suffix: '-B', quantity: 2 },
  { suffix: '-C', quantity: 1 },
] as const;

/** The kit SKU built on a hot SKU. */
export function kitSkuOf(sku: string): string {
  return `${sku}-KIT`;
}

/**
 * A 3-component kit on a hot SKU, as a reservation target: `seed(sku, n)` stocks the hot SKU
 * (1 unit per kit) and two more components (2 and 1 per kit) for exactly `n` kits in the one
 * warehouse, and defines the kit (single-warehouse shipping); `reserve(sku, q)` reserves `q`
 * kits, so every request holds 4 units on 3 rows, all or nothing. `stock(sku)` reads the hot
 * SKU's row, which moves by one unit per kit like a plain hot-SKU reservation.
 */
export function kitTarget(base: LibraryTarget): ReservationTarget {
  const { stockroom } = base;
  return {
    async seed(sku, units) {
      await base.seed(sku, units);
      for (const component of OTHER_COMPONENTS)
        await base.seed(`${sku}${component.suffix}`, units * component.quantity);
      await stockroom.kits.define({
        sku: kitSkuOf(sku),
        components: [
          { sku, quantity: 1 },
          ...OTHER_COMPONENTS.map((component) => ({
            sku: `${sku}${component.suffix}`,
            quantity: component.quantity,
          })),
        ],
      });
    },
    reserve: (sku, quantity) => base.reserve(kitSkuOf(sku), quantity),
    stock: (sku) => base.stock(sku),
    counters: () => base.counters(),
    verifyLedger: () => base.verifyLedger(),
    close: () => base.close(),
  };
}
