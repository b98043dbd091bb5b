import { describe, expect, it } from 'vitest';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { replayLedger, reservedMismatches, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Sales channels: a named set of warehouses that limits what checks see and reserves take. */
export function channelsContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: sales channels`, () => {
    const world = useContractWorld(options);

    async function seed(): Promise<void> {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      await stock(world.stockroom, 'A', 'london', 7);
      await stock(world.stockroom, 'A', 'berlin', 3);
      await world.stockroom.channels.create({
        id: 'west',
        name: 'West',
        warehouseIds: ['paris', 'london', 'paris'],
      });
    }

    it('creates, reads, lists, changes and deletes channels, with an event per change', async () => {
      await seedWarehouses(world.stockroom);
      const created = await world.stockroom.channels.create({
        id: 'west',
        name: 'West',
        warehouseIds: ['paris', 'london', 'paris'],
        display: { kind: 'capped', cap: 10 },
      });
      expect(created).toMatchObject({
        id: 'west',
        name: 'West',
        warehouseIds: ['london', 'paris'],
        display: { kind: 'capped', cap: 10 },
        version: 1,
      });
      await world.stockroom.channels.create({ id: 'east', name: 'East', warehouseIds: ['berlin'] });
      const read = await world.stockroom.channels.get('west');
      expect(read?.createdAt).toBeInstanceOf(Date);
      expect(read?.createdAt.getTime()).toBe(world.clock.now().getTime());
      expect(read).toEqual(created);
      expect((await world.stockroom.channels.list()).map((channel) => channel.id)).toEqual([
        'east',
        'west',
      ]);
      const changed = await world.stockroom.channels.update('west', {
        warehouseIds: ['berlin'],
        display: { kind: 'levels', lowStockAt: 3 },
      });
      expect(changed).toMatchObject({
        name: 'West',
        warehouseIds: ['berlin'],
        display: { kind: 'levels', lowStockAt: 3 },
        version: 2,
      });
      expect(await world.stockroom.channels.get('west')).toEqual(changed);
      await world.stockroom.channels.remove('east');
      expect(await world.stockroom.channels.get('east')).toBeNull();
      await world.stockroom.relay!.drain();
      const events = world.publisher.events.filter(
        (event) => event.type === 'inventory.channel.updated',
      );
      expect(events.map((event) => [event.subject, event.data.action])).toEqual([
        ['channel:west', 'created'],
        ['channel:east', 'created'],
        ['channel:west', 'updated'],
        ['channel:east', 'deleted'],
      ]);
      expect(events[2]?.data).toMatchObject({ warehouseIds: ['berlin'], display: 'levels:3' });
    });

    it('refuses a duplicate id, an unknown warehouse and an unknown channel, and writes nothing', async () => {
      await seedWarehouses(world.stockroom);
      await world.stockroom.channels.create({ id: 'west', name: 'West', warehouseIds: ['paris'] });
      await expect(
        world.stockroom.channels.create({ id: 'west', name: 'Again', warehouseIds: [] }),
      ).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
      await expect(
        world.stockroom.channels.create({ id: 'x', name: 'X', warehouseIds: ['paris', 'nowhere'] }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'warehouse', id: 'nowhere' });
      await expect(
        world.stockroom.channels.update('west', { warehouseIds: ['nowhere'] }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(world.stockroom.channels.update('nope', { name: 'N' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(world.stockroom.channels.remove('nope')).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        world.stockroom.channels.create({
          id: 'bad',
          name: '',
          warehouseIds: [],
          display: { kind: 'capped', cap: 0 },
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((await world.stockroom.channels.list()).map((channel) => channel.id)).toEqual([
        'west',
      ]);
      expect((await world.stockroom.channels.get('west'))?.warehouseIds).toEqual(['paris']);
    });

    it("a check naming a channel sees only the channel's warehouses", async () => {
      await seed();
      const all = await world.stockroom.availability.check({ sku: 'A', quantity: 13 });
      expect(all.availableQuantity).toBe(15);
      const west = await world.stockroom.availability.check({
        sku: 'A',
        quantity: 13,
        channelId: 'west',
      });
      expect(west).toMatchObject({ isAvailable: false, availableQuantity: 12, channelId: 'west' });
      expect(west.warehouses.map((line) => [line.warehouseId, line.availableQuantity])).toEqual([
        ['london', 7],
        ['paris', 5],
      ]);
      await expect(
        world.stockroom.availability.check({ sku: 'A', quantity: 1, channelId: 'nope' }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'channel' });
    });

    it("a reservation naming a channel allocates from the channel's warehouses only", async () => {
      await seed();
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 12 }],
        channelId: 'west',
      });
      expect(hold.lines.map((line) => [line.warehouseId, line.quantity])).toEqual([
        ['london', 7],
        ['paris', 5],
      ]);
      await expect(
        world.stockroom.reservations.reserve({
          items: [{ sku: 'A', quantity: 1 }],
          channelId: 'west',
        }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
        shortfalls: [{ sku: 'A', requested: 1, available: 0 }],
      });
      await expect(
        world.stockroom.reservations.reserve({
          items: [{ sku: 'A', quantity: 1, warehouseId: 'berlin' }],
          channelId: 'west',
        }),
      ).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
      await expect(
        world.stockroom.reservations.reserve({
          items: [{ sku: 'A', quantity: 1 }],
          channelId: 'nope',
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'channel' });
      // Without the channel, Berlin's units are still there.
      const rest = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 3 }],
      });
      expect(rest.lines).toMatchObject([{ warehouseId: 'berlin', quantity: 3 }]);
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await reservedMismatches(world.store)).toEqual([]);
    });

    it('concurrent reservations on a channel take exactly what its warehouses hold', async () => {
      await seed();
      await stock(world.stockroom, 'A', 'berlin', 97);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          world.stockroom.reservations.reserve({
            items: [{ sku: 'A', quantity: 1 }],
            channelId: 'west',
          }),
        ),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(12);
      expect(
        results.filter(
          (result) =>
            result.status === 'rejected' &&
            (result.reason as { code?: string }).code === 'INSUFFICIENT_STOCK',
        ),
      ).toHaveLength(8);
      const rows = await world.store.reads.stockBySku('A');
      expect(rows.map((row) => [row.warehouseId, row.available, row.reserved])).toEqual([
        ['berlin', 100, 0],
        ['london', 0, 7],
        ['paris', 0, 5],
      ]);
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await reservedMismatches(world.store)).toEqual([]);
    });

    it("another instance over the store sees a channel's change at once", async () => {
      await seed();
      const other = world.createStockroom();
      const before = await other.availability.check({ sku: 'A', quantity: 1, channelId: 'west' });
      expect(before.availableQuantity).toBe(12);
      await world.stockroom.channels.update('west', { warehouseIds: ['berlin'] });
      const after = await other.availability.check({ sku: 'A', quantity: 1, channelId: 'west' });
      expect(after.warehouses.map((line) => line.warehouseId)).toEqual(['berlin']);
      const hold = await other.reservations.reserve({
        items: [{ sku: 'A', quantity: 2 }],
        channelId: 'west',
      });
      expect(hold.lines).toMatchObject([{ warehouseId: 'berlin', quantity: 2 }]);
    });
  });
}
