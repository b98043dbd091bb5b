import { describe, expect, it } from 'vitest';
import type { StockSettings } from '../../domain/inventory-stock.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Low-stock alerts: one alert and one event per crossing, however often the job runs. */
export function alertContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: low-stock alerts job`, () => {
    const world = useContractWorld(options);

    /** Writes a threshold straight to the store, as an import bypassing the services would. */
    const setThresholdRaw = (lowStockThreshold: number) =>
      world.store.transaction(async (transaction) => {
        const settings: StockSettings = {
          lowStockThreshold,
          reorderPoint: 20,
          maxStockLevel: null,
          safetyStock: 0,
        };
        await transaction.stock.updateSettings(
          { sku: 'A', warehouseId: 'paris' },
          settings,
          world.clock.now(),
        );
      });

    it('evaluateLowStock raises one alert and one event per crossing; acknowledge keeps it open', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 30);
      await setThresholdRaw(40);
      world.clock.advance(1000);
      expect(await world.stockroom.alerts.evaluateLowStock()).toEqual({
        processed: 1,
        triggered: 1,
        resolved: 0,
      });
      world.clock.advance(1000);
      expect(await world.stockroom.alerts.evaluateLowStock()).toEqual({
        processed: 1,
        triggered: 0,
        resolved: 0,
      });
      const [alert, ...others] = (await world.stockroom.alerts.list({})).items;
      expect(others).toEqual([]);
      expect(alert).toMatchObject({
        sku: 'A',
        warehouseId: 'paris',
        status: 'TRIGGERED',
        currentQuantity: 30,
        threshold: 40,
        acknowledgedAt: null,
        resolvedAt: null,
      });
      await world.stockroom.relay!.drain();
      expect(world.publisher.ofType('inventory.low.stock').map((event) => event.data)).toEqual([
        { alertId: alert!.id, sku: 'A', warehouseId: 'paris', available: 30, threshold: 40 },
      ]);

      world.clock.advance(1000);
      const acknowledged = await world.stockroom.alerts.acknowledge(alert!.id, 'alice');
      expect(acknowledged).toMatchObject({
        id: alert!.id,
        status: 'ACKNOWLEDGED',
        acknowledgedBy: 'alice',
        acknowledgedAt: world.clock.now(),
      });
      world.clock.advance(1000);
      expect(await world.stockroom.alerts.acknowledge(alert!.id, 'bob')).toEqual(acknowledged);
      expect(await world.stockroom.alerts.evaluateLowStock()).toEqual({
        processed: 1,
        triggered: 0,
        resolved: 0,
      });

      // The change that climbs over the threshold resolves the alert at once.
      await stock(world.stockroom, 'A', 'paris', 11);
      expect((await world.stockroom.alerts.list({ status: 'RESOLVED' })).items).toMatchObject([
        { id: alert!.id, acknowledgedBy: 'alice' },
      ]);
      expect(await world.stockroom.alerts.evaluateLowStock()).toEqual({
        processed: 0,
        triggered: 0,
        resolved: 0,
      });
      await expect(world.stockroom.alerts.acknowledge(alert!.id)).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      await expect(world.stockroom.alerts.acknowledge('alr_missing')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await world.stockroom.relay!.drain();
      expect(world.publisher.ofType('inventory.low.stock')).toHaveLength(1);
    });

    it('evaluateLowStock resolves alerts of rows back above their threshold, and a new crossing raises a new alert', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 30);
      await world.stockroom.adjustments.updateSettings({
        sku: 'A',
        warehouseId: 'paris',
        lowStockThreshold: 40,
      });
      expect((await world.stockroom.alerts.list({ status: 'TRIGGERED' })).items).toHaveLength(1);
      await setThresholdRaw(5);
      world.clock.advance(1000);
      expect(await world.stockroom.alerts.evaluateLowStock()).toEqual({
        processed: 1,
        triggered: 0,
        resolved: 1,
      });
      expect((await world.stockroom.alerts.list({})).items).toMatchObject([
        { status: 'RESOLVED', resolvedAt: world.clock.now() },
      ]);
      await setThresholdRaw(40);
      world.clock.advance(1000);
      expect(await world.stockroom.alerts.evaluateLowStock()).toMatchObject({ triggered: 1 });
      expect(await world.stockroom.alerts.evaluateLowStock()).toMatchObject({ triggered: 0 });
      expect(
        (await world.stockroom.alerts.list({})).items.map((item) => item.status).sort(),
      ).toEqual(['RESOLVED', 'TRIGGERED']);
      await world.stockroom.relay!.drain();
      expect(world.publisher.ofType('inventory.low.stock')).toHaveLength(2);
    });
  });
}
