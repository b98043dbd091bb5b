import { describe, expect, it } from 'vitest';
import { createStock } from '../../domain/inventory-stock.js';
import type { LowStockAlert } from '../../domain/low-stock-alert.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { seedWarehouses } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** The port itself: guarded writes report lost races as data; transactions roll back whole. */
export function storeContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: store port`, () => {
    const world = useContractWorld(options);
    const now = new Date('2026-03-01T12:00:00.000Z');
    /** A TRIGGERED alert of one row, as the core raises it. */
    const triggeredAlert = (
      id: string,
      sku: string,
      warehouseId: string,
      currentQuantity: number,
    ): LowStockAlert => ({
      id,
      sku,
      warehouseId,
      currentQuantity,
      threshold: 5,
      status: 'TRIGGERED',
      triggeredAt: now,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
    });

    it('insert of an existing row and update at a stale version report applied: false', async () => {
      await seedWarehouses(world.stockroom);
      const row = createStock({ sku: 'A', warehouseId: 'paris' }, now);
      expect(await world.store.transaction((transaction) => transaction.stock.insert(row))).toEqual(
        { applied: true },
      );
      expect(await world.store.transaction((transaction) => transaction.stock.insert(row))).toEqual(
        { applied: false },
      );
      const next = { ...row, available: 5, total: 5, version: 1 };
      const write = {
        before: row,
        next,
        deltas: { available: 5, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
      };
      expect(
        await world.store.transaction((transaction) => transaction.stock.update([write])),
      ).toEqual({ applied: true });
      expect(
        await world.store.transaction((transaction) => transaction.stock.update([write])),
      ).toEqual({ applied: false });
      expect(await world.store.reads.stockBySku('A')).toMatchObject([{ available: 5, version: 1 }]);
    });

    it('update checks the unchanged rows too (no write skew between rows of one SKU)', async () => {
      await seedWarehouses(world.stockroom);
      const paris = createStock({ sku: 'A', warehouseId: 'paris' }, now);
      const london = createStock({ sku: 'A', warehouseId: 'london' }, now);
      await world.store.transaction(async (transaction) => {
        await transaction.stock.insert(paris);
        await transaction.stock.insert(london);
      });
      const londonMoved = { ...london, available: 1, total: 1, version: 1 };
      await world.store.transaction((transaction) =>
        transaction.stock.update([
          {
            before: london,
            next: londonMoved,
            deltas: { available: 1, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
          },
        ]),
      );
      const write = {
        before: paris,
        next: { ...paris, available: 2, total: 2, version: 1 },
        deltas: { available: 2, reserved: 0, damaged: 0, inTransit: 0, backordered: 0 },
      };
      expect(
        await world.store.transaction((transaction) => transaction.stock.update([write], [london])),
      ).toEqual({ applied: false });
      expect(
        await world.store.transaction((transaction) =>
          transaction.stock.update([write], [londonMoved]),
        ),
      ).toEqual({ applied: true });
    });

    it('a transaction that throws leaves nothing behind', async () => {
      await seedWarehouses(world.stockroom);
      const row = createStock({ sku: 'A', warehouseId: 'paris' }, now);
      await expect(
        world.store.transaction(async (transaction) => {
          await transaction.stock.insert(row);
          await transaction.outbox.append([
            {
              specversion: '1.0',
              id: 'evt_rollback',
              source: 'test',
              type: 'inventory.stock.updated',
              subject: 'A',
              time: now.toISOString(),
              datacontenttype: 'application/json',
              data: {},
            },
          ]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await world.store.reads.stockBySku('A')).toEqual([]);
      expect((await world.store.reads.outboxLag()).pending).toBe(0);
    });

    it('keeps one open alert per row and round-trips every field', async () => {
      await seedWarehouses(world.stockroom);
      const alert = triggeredAlert('alr_1', 'A', 'paris', 2);
      expect(
        await world.store.transaction((transaction) => transaction.alerts.insert(alert)),
      ).toEqual({ applied: true });
      expect(
        await world.store.transaction((transaction) =>
          transaction.alerts.insert({ ...alert, id: 'alr_2' }),
        ),
      ).toEqual({
        applied: false,
      });
      expect(
        await world.store.transaction((transaction) => transaction.alerts.get('alr_1')),
      ).toEqual(alert);
      await world.store.transaction((transaction) =>
        transaction.alerts.update({ ...alert, status: 'RESOLVED', resolvedAt: now }),
      );
      expect(
        await world.store.transaction((transaction) =>
          transaction.alerts.insert({ ...alert, id: 'alr_2' }),
        ),
      ).toEqual({
        applied: true,
      });
    });

    it('inserts many alerts at once, each only where its row has no open alert', async (context) => {
      await seedWarehouses(world.stockroom);
      const alert = (id: string, sku: string, warehouseId: string) =>
        triggeredAlert(id, sku, warehouseId, 1);
      const probe = await world.store.transaction(async (transaction) =>
        Boolean(transaction.alerts.insertMany),
      );
      if (!probe) {
        context.skip('this store inserts alerts one at a time (insertMany is optional)');
      }
      await world.store.transaction((transaction) =>
        transaction.alerts.insert(alert('alr_open', 'B', 'london')),
      );
      await world.store.transaction(async (transaction) => {
        await transaction.alerts.insert(alert('alr_old', 'C', 'paris'));
        await transaction.alerts.update({
          ...alert('alr_old', 'C', 'paris'),
          status: 'RESOLVED',
          resolvedAt: now,
        });
      });
      const many = [
        alert('alr_1', 'A', 'paris'),
        alert('alr_2', 'B', 'london'),
        alert('alr_3', 'B', 'paris'),
        alert('alr_4', 'C', 'paris'),
      ];
      expect(
        await world.store.transaction(async (transaction) => transaction.alerts.insertMany!(many)),
      ).toEqual([true, false, true, true]);
      expect(
        await world.store.transaction(async (transaction) => transaction.alerts.get('alr_4')),
      ).toEqual(alert('alr_4', 'C', 'paris'));
      expect(
        await world.store.transaction(async (transaction) => transaction.alerts.get('alr_2')),
      ).toBeNull();
      // Rolled back with the transaction, like every other write.
      await expect(
        world.store.transaction(async (transaction) => {
          await transaction.alerts.insertMany!([alert('alr_5', 'A', 'london')]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(
        await world.store.transaction(async (transaction) => transaction.alerts.get('alr_5')),
      ).toBeNull();
    });

    it('round-trips a warehouse and a reservation exactly', async () => {
      await seedWarehouses(world.stockroom);
      const warehouse = await world.store.reads.warehouse('paris');
      expect(warehouse).toMatchObject({
        id: 'paris',
        name: 'Paris',
        country: 'FR',
        region: 'EU',
        latitude: 48.8566,
        longitude: 2.3522,
        capacity: null,
        status: 'ACTIVE',
        priority: 2,
        version: 1,
      });
      const reservation = {
        id: 'res_1',
        status: 'ACTIVE' as const,
        orderId: null,
        userId: 'u',
        lines: [
          {
            sku: 'A',
            warehouseId: 'paris',
            quantity: 2,
            refunded: 0,
            committed: 0,
            released: 0,
            preordered: 0,
            receiptId: null,
            expectedAt: null,
            backordered: 0,
          },
        ],
        createdAt: now,
        expiresAt: new Date(now.getTime() + 1000),
        committedAt: null,
        releasedAt: null,
        version: 1,
      };
      await world.store.transaction((transaction) =>
        transaction.reservations.insert([reservation]),
      );
      expect(await world.store.reads.reservation('res_1')).toEqual(reservation);
    });
  });
}
