import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { replayLedger, reservedMismatches, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Safety stock and per-SKU cart limits: what checks and reservations may sell. */
export function sellabilityContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: safety stock`, () => {
    const world = useContractWorld(options);

    const setSafety = (sku: string, warehouseId: string, safetyStock: number) =>
      world.stockroom.adjustments.updateSettings({ sku, warehouseId, safetyStock });

    it('checks and reservations see available − safety; the row keeps every unit', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'SAFE', 'paris', 10);
      const updated = await setSafety('SAFE', 'paris', 3);
      expect(updated).toMatchObject({ available: 10, safetyStock: 3 });
      const [stored] = await world.store.reads.stockBySku('SAFE');
      expect(stored).toMatchObject({ available: 10, safetyStock: 3, version: 1 });

      const check = await world.stockroom.availability.check({ sku: 'SAFE', quantity: 8 });
      expect(check).toMatchObject({ isAvailable: false, availableQuantity: 7 });
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'SAFE', quantity: 8 }] }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'SAFE', requested: 8, available: 7 }],
      });
      await world.stockroom.reservations.reserve({ items: [{ sku: 'SAFE', quantity: 7 }] });
      expect((await world.store.reads.stockBySku('SAFE'))[0]).toMatchObject({
        available: 3,
        reserved: 7,
        safetyStock: 3,
      });
      expect(await world.stockroom.availability.check({ sku: 'SAFE', quantity: 1 })).toMatchObject({
        isAvailable: false,
        availableQuantity: 0,
        warehouses: [],
      });
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'SAFE', quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });

      // Adjustments are not limited by safety stock: the last 3 units can be written off.
      await world.stockroom.adjustments.adjust({
        sku: 'SAFE',
        warehouseId: 'paris',
        type: 'DAMAGE',
        quantity: 3,
      });
      expect((await world.store.reads.stockBySku('SAFE'))[0]).toMatchObject({
        available: 0,
        damaged: 3,
        reserved: 7,
      });
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await reservedMismatches(world.store)).toEqual([]);
    });

    it('allocates around each row’s safety stock across warehouses', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'SPLIT', 'paris', 10);
      await stock(world.stockroom, 'SPLIT', 'london', 5);
      await setSafety('SPLIT', 'paris', 8);
      const check = await world.stockroom.availability.check({ sku: 'SPLIT', quantity: 7 });
      expect(check.availableQuantity).toBe(7);
      expect(
        Object.fromEntries(
          check.warehouses.map((line) => [line.warehouseId, line.availableQuantity]),
        ),
      ).toEqual({ paris: 2, london: 5 });
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'SPLIT', quantity: 7 }],
      });
      expect(
        Object.fromEntries(hold.lines.map((line) => [line.warehouseId, line.quantity])),
      ).toEqual({ paris: 2, london: 5 });
      const rows = await world.store.reads.stockBySku('SPLIT');
      expect(rows.map((row) => [row.warehouseId, row.available, row.reserved])).toEqual([
        ['london', 0, 5],
        ['paris', 8, 2],
      ]);
    });

    it('a safety stock above available sells nothing and never goes negative; lowering it sells again', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'LOW', 'paris', 4);
      await setSafety('LOW', 'paris', 9);
      expect(
        (await world.stockroom.availability.check({ sku: 'LOW', quantity: 1 })).availableQuantity,
      ).toBe(0);
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'LOW', quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      await setSafety('LOW', 'paris', 1);
      expect(
        (await world.stockroom.availability.check({ sku: 'LOW', quantity: 3 })).isAvailable,
      ).toBe(true);
      await world.stockroom.reservations.reserve({ items: [{ sku: 'LOW', quantity: 3 }] });
      expect((await world.store.reads.stockBySku('LOW'))[0]).toMatchObject({
        available: 1,
        reserved: 3,
      });
    });

    it('rows created without settings take the default safety stock', async () => {
      const stockroom = world.createStockroom({ defaultStockSettings: { safetyStock: 2 } });
      await seedWarehouses(stockroom);
      await stock(stockroom, 'DEFAULT', 'paris', 5);
      expect((await world.store.reads.stockBySku('DEFAULT'))[0]).toMatchObject({
        available: 5,
        safetyStock: 2,
      });
      expect(
        (await stockroom.availability.check({ sku: 'DEFAULT', quantity: 1 })).availableQuantity,
      ).toBe(3);
    });

    it('refuses a negative safety stock', async () => {
      await seedWarehouses(world.stockroom);
      await expect(setSafety('NEG', 'paris', -1)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });
  });

  describe(`${options.name}: cart limits`, () => {
    const world = useContractWorld(options);

    it('refuses a reservation over the SKU’s maximum with the limit; items of one SKU add up', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'CONSOLE', 'paris', 10);
      const policy = await world.stockroom.skuPolicies.set({ sku: 'CONSOLE', maxPerCart: 2 });
      expect(policy).toMatchObject({
        sku: 'CONSOLE',
        minPerCart: null,
        maxPerCart: 2,
        stored: true,
        version: 1,
      });
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'CONSOLE', quantity: 3 }] }),
      ).rejects.toMatchObject({
        code: 'CART_LIMIT_EXCEEDED',
        sku: 'CONSOLE',
        limit: 'MAX',
        value: 2,
        requested: 3,
      });
      await expect(
        world.stockroom.reservations.reserve({
          items: [
            { sku: 'CONSOLE', quantity: 2, warehouseId: 'paris' },
            { sku: 'CONSOLE', quantity: 1 },
          ],
        }),
      ).rejects.toMatchObject({ code: 'CART_LIMIT_EXCEEDED', requested: 3 });
      expect((await world.store.reads.stockBySku('CONSOLE'))[0]).toMatchObject({
        available: 10,
        reserved: 0,
        version: 1,
      });
      await world.stockroom.reservations.reserve({ items: [{ sku: 'CONSOLE', quantity: 2 }] });
      expect((await world.store.reads.stockBySku('CONSOLE'))[0]).toMatchObject({
        available: 8,
        reserved: 2,
      });
    });

    it('refuses a reservation under the SKU’s minimum', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'SCREWS', 'paris', 100);
      await world.stockroom.skuPolicies.set({ sku: 'SCREWS', minPerCart: 10 });
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'SCREWS', quantity: 9 }] }),
      ).rejects.toMatchObject({
        code: 'CART_LIMIT_EXCEEDED',
        limit: 'MIN',
        value: 10,
        requested: 9,
      });
      await world.stockroom.reservations.reserve({ items: [{ sku: 'SCREWS', quantity: 10 }] });
    });

    it('falls back to the default limits; a policy overrides them until removed', async () => {
      const stockroom = world.createStockroom({
        sellability: { defaultCartLimits: { minPerCart: null, maxPerCart: 5 } },
      });
      await seedWarehouses(stockroom);
      await stock(stockroom, 'TEE', 'paris', 50);
      expect(await stockroom.skuPolicies.get('TEE')).toMatchObject({
        maxPerCart: 5,
        stored: false,
        version: 0,
      });
      await expect(
        stockroom.reservations.reserve({ items: [{ sku: 'TEE', quantity: 6 }] }),
      ).rejects.toMatchObject({ code: 'CART_LIMIT_EXCEEDED', value: 5 });
      await stockroom.skuPolicies.set({ sku: 'TEE', maxPerCart: 20 });
      await stockroom.reservations.reserve({ items: [{ sku: 'TEE', quantity: 6 }] });
      expect(await stockroom.skuPolicies.remove('TEE')).toMatchObject({
        stored: false,
        maxPerCart: 5,
      });
      await expect(
        stockroom.reservations.reserve({ items: [{ sku: 'TEE', quantity: 6 }] }),
      ).rejects.toMatchObject({ code: 'CART_LIMIT_EXCEEDED', value: 5 });
    });

    it('refuses only the carts over the limit in a concurrent crowd', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'DROP', 'paris', 100);
      await world.stockroom.skuPolicies.set({ sku: 'DROP', maxPerCart: 2 });
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, index) =>
          world.stockroom.reservations.reserve({
            items: [{ sku: 'DROP', quantity: index % 2 === 0 ? 3 : 1 }],
          }),
        ),
      );
      const refused = results.filter((result) => result.status === 'rejected');
      expect(refused).toHaveLength(20);
      for (const result of refused) {
        expect((result as PromiseRejectedResult).reason).toMatchObject({
          code: 'CART_LIMIT_EXCEEDED',
        });
      }
      expect((await world.store.reads.stockBySku('DROP'))[0]).toMatchObject({
        available: 80,
        reserved: 20,
      });
      expect(await reservedMismatches(world.store)).toEqual([]);
    });

    it('versions policies, checks min ≤ max and emits an event per change', async () => {
      await world.stockroom.skuPolicies.set({ sku: 'GIFT', minPerCart: 2, maxPerCart: 4 });
      await expect(
        world.stockroom.skuPolicies.set({ sku: 'GIFT', minPerCart: 5 }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(
        world.stockroom.skuPolicies.set({ sku: 'GIFT', maxPerCart: 6, expectedVersion: 0 }),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
      expect(
        await world.stockroom.skuPolicies.set({ sku: 'GIFT', maxPerCart: 6, expectedVersion: 1 }),
      ).toMatchObject({
        minPerCart: 2,
        maxPerCart: 6,
        version: 2,
        backorderPolicy: 'DENY',
        backorderLimit: null,
      });
      await world.stockroom.skuPolicies.remove('GIFT');
      await world.stockroom.relay!.drain();
      expect(
        world.publisher.ofType('inventory.sku.policy.updated').map((event) => event.data),
      ).toEqual([
        {
          sku: 'GIFT',
          stored: true,
          minPerCart: 2,
          maxPerCart: 4,
          allowPreorder: false,
          backorderPolicy: 'DENY',
          backorderLimit: null,
          version: 1,
        },
        {
          sku: 'GIFT',
          stored: true,
          minPerCart: 2,
          maxPerCart: 6,
          allowPreorder: false,
          backorderPolicy: 'DENY',
          backorderLimit: null,
          version: 2,
        },
        {
          sku: 'GIFT',
          stored: false,
          minPerCart: null,
          maxPerCart: null,
          allowPreorder: false,
          backorderPolicy: 'DENY',
          backorderLimit: null,
          version: 0,
        },
      ]);
    });
  });
}
