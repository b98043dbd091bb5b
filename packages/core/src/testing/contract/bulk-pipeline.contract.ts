import { describe, expect, it } from 'vitest';
import type { InventoryStock } from '../../domain/inventory-stock.js';
import type { Movement } from '../../domain/movement.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, seedWarehouses } from '../fixtures.js';
import { useContractWorld } from './harness.js';

const WAREHOUSES = ['paris', 'london', 'berlin'] as const;

/** `count` items, 3 rows a SKU (`S-0000` paris, london, berlin, `S-0001`…), level 1 + index. */
async function* rows(
  count: number,
  breakAfter?: { readonly items: number; readonly error: Error },
) {
  for (let index = 0; index < count; index += 1) {
    if (breakAfter && index === breakAfter.items) throw breakAfter.error;
    yield {
      sku: `S-${String(Math.floor(index / 3)).padStart(4, '0')}`,
      warehouseId: WAREHOUSES[index % 3]!,
      quantity: 1 + index,
    };
  }
}

/**
 * A non-atomic bulk import with two chunk transactions in flight (the default on stores that
 * take concurrent writers; asked for here on every store): a SKU whose rows straddle chunk
 * boundaries, an idempotent retry of an import that broke mid-way, a failing chunk between two
 * that apply.
 */
export function bulkPipelineContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: bulk update with two chunks in flight`, () => {
    // 40 items a chunk: with 3 rows a SKU, S-0013 has items 39 | 40, 41 and S-0026 78, 79 | 80.
    const world = useContractWorld(options, { bulkBatchSize: 40, bulkChunksInFlight: 2 });
    const allStock = () => readAll<InventoryStock>((page) => world.store.reads.allStock(page));
    const allMovements = () => readAll<Movement>((page) => world.store.reads.ledger({}, page));
    const levels = async () =>
      new Map((await allStock()).map((row) => [`${row.sku}@${row.warehouseId}`, row.available]));
    const backInStock = async () => {
      await world.stockroom.relay?.drain();
      return world.publisher.ofType('inventory.back.in.stock').map((event) => event.subject);
    };

    it('SKUs straddling chunk boundaries: every row at its level, one back-in-stock event a SKU, the ledger replays', async () => {
      await seedWarehouses(world.stockroom);
      const result = await world.stockroom.adjustments.bulkUpdate({
        mode: 'set',
        items: rows(121),
      });
      expect(result).toEqual({ applied: 121, failed: [] });
      const level = await levels();
      expect(level.size).toBe(121);
      for (let index = 0; index < 121; index += 1) {
        const key = `S-${String(Math.floor(index / 3)).padStart(4, '0')}@${WAREHOUSES[index % 3]}`;
        expect(level.get(key)).toBe(1 + index);
      }
      expect(await allMovements()).toHaveLength(121);
      expect(await replayLedger(world.store)).toEqual([]);
      // 41 SKUs (the last holds one row), each back in stock once although S-0013, S-0026 and
      // S-0039 are written by two chunks.
      const subjects = await backInStock();
      expect(subjects).toHaveLength(41);
      expect(new Set(subjects).size).toBe(41);
      expect(world.publisher.ofType('inventory.stock.updated')).toHaveLength(121);

      // The same again as deltas from an array: nothing new to announce, every row moves.
      const again = await world.stockroom.adjustments.bulkUpdate({
        mode: 'delta',
        items: Array.from({ length: 121 }, (_unused, index) => ({
          sku: `S-${String(Math.floor(index / 3)).padStart(4, '0')}`,
          warehouseId: WAREHOUSES[index % 3]!,
          quantity: -1,
        })),
      });
      expect(again).toEqual({ applied: 121, failed: [] });
      expect((await allStock()).reduce((sum, row) => sum + row.available, 0)).toBe(
        (121 * 122) / 2 - 121,
      );
      expect(await allMovements()).toHaveLength(242);
      expect(await replayLedger(world.store)).toEqual([]);
      expect(await backInStock()).toHaveLength(41);
    });

    it('an import that broke mid-way, retried with its key, builds the same chunks: the committed ones replay, nothing is written twice', async () => {
      await seedWarehouses(world.stockroom);
      const broken = new Error('the source failed');
      await expect(
        world.stockroom.adjustments.bulkUpdate(
          { mode: 'set', items: rows(121, { items: 100, error: broken }) },
          { idempotencyKey: 'import-1' },
        ),
      ).rejects.toBe(broken);
      // Chunks 0 (items 0-39) and 1 (42-79: 40 and 41 are S-0013's, deferred past chunk 0's
      // SKUs) committed before the error reached the caller; the rest was never written.
      expect(await allStock()).toHaveLength(78);
      expect((await levels()).has('S-0013@london')).toBe(false);

      const result = await world.stockroom.adjustments.bulkUpdate(
        { mode: 'set', items: rows(121) },
        { idempotencyKey: 'import-1' },
      );
      expect(result).toEqual({ applied: 121, failed: [] });
      expect(await allStock()).toHaveLength(121);
      expect(await allMovements()).toHaveLength(121);
      expect(await replayLedger(world.store)).toEqual([]);
      const subjects = await backInStock();
      expect(subjects).toHaveLength(41);
      expect(new Set(subjects).size).toBe(41);
      const events = (await world.store.reads.outboxLag()).pending;

      // A replay of the finished call answers its stored result and writes nothing.
      const replayed = await world.stockroom.adjustments.bulkUpdate(
        { mode: 'set', items: rows(121) },
        { idempotencyKey: 'import-1' },
      );
      expect(replayed).toEqual(result);
      expect(await allMovements()).toHaveLength(121);
      expect((await world.store.reads.outboxLag()).pending).toBe(events);
    });

    it('a chunk that fails between two that apply: its items are reported by index, the others apply', async () => {
      await seedWarehouses(world.stockroom);
      // Another command already holds the key of the import's chunk 1, so that chunk fails whole.
      await world.stockroom.adjustments.adjust(
        { sku: 'X', warehouseId: 'paris', type: 'RESTOCK', quantity: 5 },
        { idempotencyKey: 'import-2:batch-1' },
      );
      const result = await world.stockroom.adjustments.bulkUpdate(
        { mode: 'set', items: rows(121) },
        { idempotencyKey: 'import-2' },
      );
      // Chunk 1 holds items 42-79 (S-0014 … S-0026 less item 80, deferred to chunk 3).
      const failing = Array.from({ length: 38 }, (_unused, offset) => 42 + offset);
      expect(result.applied).toBe(121 - 38);
      expect(result.failed).toEqual(
        failing.map((index) => ({
          index,
          code: 'IDEMPOTENCY_KEY_REUSED',
          detail: expect.any(String),
        })),
      );
      const level = await levels();
      expect(level.size).toBe(121 - 38 + 1);
      expect(level.get('S-0013@london')).toBe(41);
      expect(level.get('S-0014@paris')).toBeUndefined();
      expect(level.get('S-0026@london')).toBeUndefined();
      expect(level.get('S-0026@berlin')).toBe(81);
      expect(await allMovements()).toHaveLength(121 - 38 + 1);
      expect(await replayLedger(world.store)).toEqual([]);
      // X, and every SKU with a row applied: all 41 but S-0014 … S-0025.
      const subjects = await backInStock();
      expect(subjects).toHaveLength(1 + 41 - 12);
      expect(new Set(subjects).size).toBe(subjects.length);
    });
  });

  describe(`${options.name}: bulk update with two chunks in flight, capacity-limited warehouses`, () => {
    const world = useContractWorld(options, { bulkBatchSize: 40, bulkChunksInFlight: 2 });

    it('each chunk sees the one before it in the occupancy it locks: two warehouses fill to their capacity exactly, without deadlock', async () => {
      await seedWarehouses(world.stockroom);
      await world.stockroom.warehouses.update('london', { capacity: 30 });
      await world.stockroom.warehouses.update('berlin', { capacity: 30 });
      const items = [];
      for await (const item of rows(121)) items.push({ ...item, quantity: 1 });
      const result = await world.stockroom.adjustments.bulkUpdate({ mode: 'delta', items });
      // 40 one-unit items for each of london and berlin, 41 for paris (no capacity).
      expect(result.applied).toBe(41 + 30 + 30);
      expect(result.failed).toHaveLength(20);
      expect(result.failed.every((failure) => failure.code === 'CAPACITY_EXCEEDED')).toBe(true);
      expect(result.failed.map((failure) => failure.index)).toEqual(
        [...result.failed.map((failure) => failure.index)].sort((left, right) => left - right),
      );
      const stored = await readAll<InventoryStock>((page) => world.store.reads.allStock(page));
      const unitsIn = (warehouseId: string) =>
        stored
          .filter((row) => row.warehouseId === warehouseId)
          .reduce((sum, row) => sum + row.available, 0);
      expect([unitsIn('paris'), unitsIn('london'), unitsIn('berlin')]).toEqual([41, 30, 30]);
      expect(await readAll<Movement>((page) => world.store.reads.ledger({}, page))).toHaveLength(
        101,
      );
      expect(await replayLedger(world.store)).toEqual([]);
    });
  });

  describe(`${options.name}: bulk update with two chunks in flight, SKUs larger than a chunk`, () => {
    // 2 items a chunk, 3 rows a SKU: every SKU spans two or three chunks.
    const world = useContractWorld(options, { bulkBatchSize: 2, bulkChunksInFlight: 2 });

    it('applies every row once, each SKU back in stock once, and the ledger replays', async () => {
      await seedWarehouses(world.stockroom);
      const result = await world.stockroom.adjustments.bulkUpdate({
        mode: 'set',
        items: rows(31),
      });
      expect(result).toEqual({ applied: 31, failed: [] });
      const stored = await readAll<InventoryStock>((page) => world.store.reads.allStock(page));
      expect(stored).toHaveLength(31);
      expect(stored.reduce((sum, row) => sum + row.available, 0)).toBe((31 * 32) / 2);
      expect(await readAll<Movement>((page) => world.store.reads.ledger({}, page))).toHaveLength(
        31,
      );
      expect(await replayLedger(world.store)).toEqual([]);
      await world.stockroom.relay?.drain();
      const subjects = world.publisher
        .ofType('inventory.back.in.stock')
        .map((event) => event.subject);
      expect(subjects).toHaveLength(11);
      expect(new Set(subjects).size).toBe(11);
    });
  });
}
