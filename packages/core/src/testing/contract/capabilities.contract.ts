import { describe, expect, it } from 'vitest';
import type { StoreCapabilities } from '../../ports/stock-store.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

/** Reads that give a transaction's other awaits a chance to run in between. */
async function yieldTurns(turns: number, read: () => Promise<unknown>): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await read();
}

/** The reason a case is skipped on a store without a capability, or false when it runs. */
function missing(capabilities: StoreCapabilities, name: keyof StoreCapabilities): string | false {
  return capabilities[name] ? false : `the store does not declare capabilities.${name}`;
}

/**
 * What `StoreCapabilities` promises, checked per store; a case a store does not declare the
 * capability for is skipped with that reason.
 */
export function capabilitiesContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: declared capabilities`, () => {
    const world = useContractWorld(options);

    it('declares its capabilities as booleans', () => {
      const { capabilities } = world.store;
      for (const name of ['lockingReads', 'skipLocked', 'multiProcess'] as const)
        expect(typeof capabilities[name]).toBe('boolean');
      expect(['boolean', 'undefined']).toContain(typeof capabilities.singleWriter);
    });

    it('lockingReads: a locked row stays locked until its transaction ends', async (context) => {
      const reason = missing(world.store.capabilities, 'lockingReads');
      if (reason) return context.skip(reason);
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'L', 'paris', 5);
      const order: string[] = [];
      let second: Promise<void> | undefined;
      await world.store.transaction(async (transaction) => {
        await transaction.stock.read(['L'], { lock: true });
        second = world.store.transaction(async (other) => {
          await other.stock.read(['L'], { lock: true });
          order.push('second locked');
        });
        await yieldTurns(5, () => transaction.stock.get({ sku: 'L', warehouseId: 'paris' }));
        order.push('first ends');
      });
      await second;
      expect(order).toEqual(['first ends', 'second locked']);
    });

    it('skipLocked: two concurrent claims never return the same outbox entry', async (context) => {
      const reason = missing(world.store.capabilities, 'skipLocked');
      if (reason) return context.skip(reason);
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'S', 'paris', 5);
      const pending = (await world.store.reads.outboxLag()).pending;
      expect(pending).toBeGreaterThanOrEqual(2);
      let second: Promise<string[]> | undefined;
      const first = await world.store.transaction(async (transaction) => {
        const claimed = (await transaction.outbox.claim(1)).map((entry) => entry.event.id);
        second = world.store.transaction(async (other) => {
          const ids = (await other.outbox.claim(pending)).map((entry) => entry.event.id);
          await other.outbox.markDelivered(ids);
          return ids;
        });
        await yieldTurns(5, () => transaction.outbox.claim(0));
        await transaction.outbox.markDelivered(claimed);
        return claimed;
      });
      const others = await second!;
      expect(first).toHaveLength(1);
      expect(others).not.toContain(first[0]);
      expect(first.length + others.length).toBe(pending);
      expect((await world.store.reads.outboxLag()).pending).toBe(0);
    });
  });
}
