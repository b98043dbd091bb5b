import { describe, expect, it } from 'vitest';
import type { InventoryStock } from '../../domain/inventory-stock.js';
import type { Movement } from '../../domain/movement.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, seedWarehouses, stock } from '../fixtures.js';
import { useContractWorld } from './harness.js';

const WAREHOUSES = ['paris', 'london', 'berlin'] as const;

/**
 * A bulk import fed by a stream (an async iterable read in chunks): chunk boundaries, failures
 * in the middle of the stream in both modes, and a source that breaks mid-way.
 */
export function bulkStreamContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: bulk update from a stream`, () => {
    // 40 items a chunk, so a hundred items span several chunks on every backend.
    const world = useContractWorld(options, { bulkBatchSize: 40 });
    const allStock = () => readAll<InventoryStock>((page) => world.store.reads.allStock(page));
    const allMovements = () => readAll<Movement>((page) => world.store.reads.ledger({}, page));
    const sku = (index: number) => `S-${String(index).padStart(4, '0')}`;

    it('chunk boundaries: full chunks and a one-item tail apply every item; a SKU split over two chunks is back in stock once', async () => {
      await seedWarehouses(world.stockroom);
      // 81 items, 3 warehouses a SKU: S-0013 has items 39 | 40, 41 and S-0026 items 78, 79 | 80
      // on both sides of a chunk boundary; the last chunk holds one item.
      async function* rows(count: number, skuOffset: number) {
        for (let index = 0; index < count; index += 1) {
          yield {
            sku: sku(skuOffset + Math.floor(index / 3)),
            warehouseId: WAREHOUSES[index % 3]!,
            quantity: 1 + index,
          };
        }
      }
      const result = await world.stockroom.adjustments.bulkUpdate({
        mode: 'set',
        items: rows(81, 0),
      });
      expect(result).toEqual({ applied: 81, failed: [] });
      // Exactly two full chunks, nothing left over.
      const full = await world.stockroom.adjustments.bulkUpdate({
        mode: 'delta',
        items: rows(80, 100),
      });
      expect(full).toEqual({ applied: 80, failed: [] });

      const stored = await allStock();
      expect(stored).toHaveLength(161);
      const level = new Map(stored.map((row) => [`${row.sku}@${row.warehouseId}`, row.available]));
      expect(level.get('S-0013@paris')).toBe(40);
      expect(level.get('S-0013@london')).toBe(41);
      expect(level.get('S-0026@berlin')).toBe(81);
      expect(level.get('S-0126@london')).toBe(80);
      expect(stored.reduce((sum, row) => sum + row.available, 0)).toBe(
        (81 * 82) / 2 + (80 * 81) / 2,
      );
      expect(await allMovements()).toHaveLength(161);
      expect(await replayLedger(world.store)).toEqual([]);

      await world.stockroom.relay?.drain();
      expect(world.publisher.ofType('inventory.stock.updated')).toHaveLength(161);
      // One per SKU (27 + 27), although 4 SKUs have rows in two chunks.
      const backInStock = world.publisher
        .ofType('inventory.back.in.stock')
        .map((event) => event.subject);
      expect(backInStock).toHaveLength(54);
      expect(new Set(backInStock).size).toBe(54);
    });

    it('per item: failures in the middle of the stream fail alone; chunks commit as they are read', async () => {
      await seedWarehouses(world.stockroom);
      let storedWhenItem80WasRead = -1;
      async function* rows() {
        for (let index = 0; index < 120; index += 1) {
          if (index === 80) storedWhenItem80WasRead = (await allStock()).length;
          if (index === 57) yield { sku: sku(index), warehouseId: 'paris', quantity: -1 };
          else if (index === 63) yield { sku: sku(index), warehouseId: 'paris', quantity: 1.5 };
          else yield { sku: sku(index), warehouseId: 'paris', quantity: 5 };
        }
      }
      const result = await world.stockroom.adjustments.bulkUpdate({ mode: 'delta', items: rows() });
      expect(result).toEqual({
        applied: 118,
        failed: [
          { index: 57, code: 'INSUFFICIENT_STOCK', detail: expect.any(String) },
          { index: 63, code: 'VALIDATION_FAILED', detail: expect.any(String) },
        ],
      });
      // Chunks 1 and 2 (items 0-79, less the two failures) were written before item 80 was read;
      // with two chunks in flight (a store that takes concurrent writers) chunk 2 may still be
      // in flight then, chunk 1 never.
      const { multiProcess, singleWriter } = world.store.capabilities;
      if (multiProcess && !singleWriter) expect([40, 78]).toContain(storedWhenItem80WasRead);
      else expect(storedWhenItem80WasRead).toBe(78);
      const stored = await allStock();
      expect(stored).toHaveLength(118);
      expect(stored.every((row) => row.available === 5)).toBe(true);
      expect(stored.map((row) => row.sku)).not.toContain(sku(57));
      expect(await allMovements()).toHaveLength(118);
      expect(await replayLedger(world.store)).toEqual([]);
    });

    it('atomic: a failure in the middle of the stream rolls back every chunk, the earlier ones too', async () => {
      await seedWarehouses(world.stockroom);
      await stock(world.stockroom, 'A', 'paris', 5);
      const before = await allStock();
      const pending = (await world.store.reads.outboxLag()).pending;
      let read = 0;
      async function* rows() {
        for (let index = 0; index < 120; index += 1) {
          read += 1;
          if (index === 50) yield { sku: sku(index), warehouseId: 'nowhere', quantity: 1 };
          else if (index === 110) yield { sku: 'A', warehouseId: 'paris', quantity: -6 };
          else yield { sku: sku(index), warehouseId: 'london', quantity: 2 };
        }
      }
      const result = await world.stockroom.adjustments.bulkUpdate({
        mode: 'delta',
        atomic: true,
        items: rows(),
      });
      expect(result).toEqual({
        applied: 0,
        failed: [
          { index: 50, code: 'NOT_FOUND', detail: expect.any(String) },
          { index: 110, code: 'INSUFFICIENT_STOCK', detail: expect.any(String) },
        ],
      });
      // The whole stream was read, so every failure is listed.
      expect(read).toBe(120);
      expect(await allStock()).toEqual(before);
      expect(await allMovements()).toHaveLength(1);
      expect((await world.store.reads.outboxLag()).pending).toBe(pending);
      expect(await replayLedger(world.store)).toEqual([]);
    });

    it('a source that breaks mid-stream: its error reaches the caller; per item keeps the chunks already written, atomic keeps nothing', async () => {
      await seedWarehouses(world.stockroom);
      const broken = new Error('the source failed');
      async function* rows(prefix: string) {
        for (let index = 0; index < 50; index += 1) {
          yield { sku: `${prefix}-${index}`, warehouseId: 'berlin', quantity: 3 };
        }
        throw broken;
      }
      await expect(
        world.stockroom.adjustments.bulkUpdate({ mode: 'set', items: rows('P') }),
      ).rejects.toBe(broken);
      // The first chunk (40 items) committed; the 10 items read after it were not applied.
      expect(await allStock()).toHaveLength(40);
      expect(await allMovements()).toHaveLength(40);

      await expect(
        world.stockroom.adjustments.bulkUpdate({ mode: 'set', atomic: true, items: rows('Q') }),
      ).rejects.toBe(broken);
      const stored = await allStock();
      expect(stored).toHaveLength(40);
      expect(stored.every((row) => row.sku.startsWith('P-'))).toBe(true);
      expect(await allMovements()).toHaveLength(40);
      expect(await replayLedger(world.store)).toEqual([]);
    });
  });
}
