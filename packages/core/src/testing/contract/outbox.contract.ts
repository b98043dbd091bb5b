import { describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../outbox/outbox-relay.js';
import { silentLogger } from '../../ports/logger.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Invariant 6: every committed change emits its events once, delivered at least once with stable ids. */
export function outboxContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: outbox`, () => {
    const world = useContractWorld(options);

    it('writes CloudEvents in the same transaction and the relay delivers each once, in per-SKU order', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const hold = await world.stockroom.reservations.reserve({
        items: [{ sku: 'A', quantity: 2 }],
      });
      await world.stockroom.reservations.commit(hold.id);
      expect((await world.store.reads.outboxLag()).pending).toBeGreaterThan(0);
      await world.stockroom.relay!.drain();
      expect(await world.store.reads.outboxLag()).toEqual({ pending: 0, oldest: null });
      const events = world.publisher.events.filter((event) => event.subject === 'A');
      expect(events.map((event) => event.type)).toEqual([
        'inventory.stock.updated',
        'inventory.low.stock',
        'inventory.back.in.stock',
        'inventory.reserved',
        'inventory.stock.updated',
        'inventory.committed',
        'inventory.stock.updated',
      ]);
      expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
      expect(events[3]).toMatchObject({
        specversion: '1.0',
        source: 'stockroom',
        datacontenttype: 'application/json',
        data: { reservationId: hold.id, status: 'ACTIVE' },
      });
      await world.stockroom.relay!.drain();
      expect(world.publisher.events).toHaveLength(events.length);
    });

    it('a failed publish keeps the events; the next pass delivers them with the same ids', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const pending = (await world.store.reads.outboxLag()).pending;
      world.publisher.failNext(1);
      expect(await world.stockroom.relay!.runOnce()).toEqual({ published: 0, failed: pending });
      expect((await world.store.reads.outboxLag()).pending).toBe(pending);
      await world.stockroom.relay!.drain();
      expect(world.publisher.events).toHaveLength(pending);
      expect((await world.store.reads.outboxLag()).pending).toBe(0);
    });

    it('the unlocked relay mode delivers the same way and keeps events on a failed publish', async () => {
      const relay = new OutboxRelay({
        store: world.store,
        publisher: world.publisher,
        logger: silentLogger,
        mode: 'unlocked',
      });
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const pending = (await world.store.reads.outboxLag()).pending;
      world.publisher.failNext(1);
      expect(await relay.runOnce()).toEqual({ published: 0, failed: pending });
      expect(await relay.drain()).toBe(pending);
      expect(world.publisher.events).toHaveLength(pending);
      expect((await world.store.reads.outboxLag()).pending).toBe(0);
    });

    it('a refused or rolled-back command emits nothing', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 1);
      await world.stockroom.relay!.drain();
      const before = world.publisher.events.length;
      await expect(
        world.stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 2 }] }),
      ).rejects.toMatchObject({
        code: 'INSUFFICIENT_STOCK',
      });
      await world.stockroom.relay!.drain();
      expect(world.publisher.events).toHaveLength(before);
    });
  });
}
