import { describe, expect, it } from 'vitest';
import { type InventoryStock, stockKeyOf } from '../../domain/inventory-stock.js';
import type { Movement } from '../../domain/movement.js';
import { BulkChunkSizeUnknownError } from '../../errors/bulk-chunk-size-unknown-error.js';
import { IdempotencyConflictError } from '../../errors/idempotency-conflict-error.js';
import type { BulkUpdateResult } from '../../services/bulk-update.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, replayLedger, seedWarehouses } from '../fixtures.js';
import { type ContractWorld, useContractWorld } from './harness.js';

const WAREHOUSES = ['paris', 'london', 'berlin'] as const;
/** The item that fails validation in every import below (a delta of 0). */
const INVALID = 7;

/**
 * `count` delta items, 3 rows a SKU (`<prefix>-0000` paris, london, berlin, `<prefix>-0001`…),
 * item i adding 1 + i (item 7 adds 0: invalid); throws `error` when item `breakAt` is read.
 */
async function* rows(
  count: number,
  options: { readonly prefix?: string; readonly breakAt?: number; readonly error?: Error } = {},
) {
  for (let index = 0; index < count; index += 1) {
    if (index === options.breakAt) throw options.error ?? new Error('the source failed');
    yield {
      sku: `${options.prefix ?? 'S'}-${String(Math.floor(index / 3)).padStart(4, '0')}`,
      warehouseId: WAREHOUSES[index % 3]!,
      quantity: index === INVALID ? 0 : 1 + index,
    };
  }
}

/** What a clean import of `rows(count)` returns. */
function cleanResult(count: number): BulkUpdateResult {
  return {
    applied: count - 1,
    failed: [{ index: INVALID, code: 'VALIDATION_FAILED', detail: expect.any(String) }],
  };
}

/**
 * Every row of prefix `S` at exactly its item's level, one movement per applied item, and a
 * ledger that replays to the stored rows.
 */
async function expectImportedOnce(world: ContractWorld, count: number): Promise<void> {
  const movements = await readAll<Movement>((page) => world.store.reads.ledger({}, page));
  const imported = movements.filter((movement) => movement.sku.startsWith('S-'));
  expect(imported).toHaveLength(count - 1);
  const byRow = new Map<string, number>();
  for (const movement of imported) {
    const key = stockKeyOf(movement);
    expect(byRow.has(key)).toBe(false);
    byRow.set(key, movement.deltas.available ?? 0);
  }
  for (let index = 0; index < count; index += 1) {
    const key = stockKeyOf({
      sku: `S-${String(Math.floor(index / 3)).padStart(4, '0')}`,
      warehouseId: WAREHOUSES[index % 3]!,
    });
    expect(byRow.get(key)).toBe(index === INVALID ? undefined : 1 + index);
  }
  const stock = await readAll<InventoryStock>((page) => world.store.reads.allStock(page));
  const levels = stock.filter((row) => row.sku.startsWith('S-'));
  expect(levels).toHaveLength(count - 1);
  expect(levels.reduce((sum, row) => sum + row.available, 0)).toBe(
    (count * (count + 1)) / 2 - (1 + INVALID),
  );
  expect(await replayLedger(world.store)).toEqual([]);
}

async function movementCount(world: ContractWorld): Promise<number> {
  return (await readAll<Movement>((page) => world.store.reads.ledger({}, page))).length;
}

/** The cut recorded under `<key>:chunks`, as stored. */
async function recordedCut(world: ContractWorld, key: string): Promise<unknown> {
  const recorded = await world.store.transaction((transaction) =>
    transaction.idempotency.get('default', `${key}:chunks`),
  );
  return recorded ? JSON.parse(recorded.result) : undefined;
}

/** Drops an import's chunk-size record, as an import started by an earlier version has none. */
async function forgetChunkSize(world: ContractWorld, key: string): Promise<void> {
  await world.store.transaction((transaction) =>
    transaction.idempotency.remove('default', `${key}:chunks`),
  );
}

/**
 * A keyed non-atomic import retried with another configuration than its first attempt: the
 * retry cuts the items as the first attempt did (its recorded chunk size and SKU separation), so
 * committed chunks replay by number and no item applies twice; an import whose committed chunks
 * have no record (an earlier version) is resumed at the size that gives its first chunk, or
 * refused.
 */
export function bulkRetryContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: a retried bulk import keeps its first chunk size`, () => {
    // 40 items a chunk, two in flight: S-0013 has items 39 | 40, 41, S-0026 78, 79 | 80.
    const world = useContractWorld(options, { bulkBatchSize: 40, bulkChunksInFlight: 2 });

    it('first attempt with two chunks of 40 in flight, retry configured with one chunk of 25: each item once, the result of a clean run', async () => {
      await seedWarehouses(world.stockroom);
      const broken = new Error('the source failed');
      await expect(
        world.stockroom.adjustments.bulkUpdate(
          { mode: 'delta', items: rows(121, { breakAt: 100, error: broken }) },
          { idempotencyKey: 'import-1' },
        ),
      ).rejects.toBe(broken);
      // Chunks 0 (items 0-39) and 1 (42-79) committed; item 7 is invalid.
      expect(await movementCount(world)).toBe(40 + 38 - 1);

      const other = world.createStockroom({ bulkBatchSize: 25, bulkChunksInFlight: 1 });
      const result = await other.adjustments.bulkUpdate(
        { mode: 'delta', items: rows(121) },
        { idempotencyKey: 'import-1' },
      );
      expect(result).toEqual(cleanResult(121));
      await expectImportedOnce(world, 121);

      // A clean run of the same import under other SKUs answers the same.
      const clean = await world.stockroom.adjustments.bulkUpdate({
        mode: 'delta',
        items: rows(121, { prefix: 'T' }),
      });
      expect(clean).toEqual(result);
    });

    it('first attempt with one chunk of 25 at a time, retry configured with two chunks of 40 in flight: cut at 25 without SKU separation, each item once', async () => {
      await seedWarehouses(world.stockroom);
      const first = world.createStockroom({ bulkBatchSize: 25, bulkChunksInFlight: 1 });
      await expect(
        first.adjustments.bulkUpdate(
          { mode: 'delta', items: rows(121, { breakAt: 60 }) },
          { idempotencyKey: 'import-2' },
        ),
      ).rejects.toThrow('the source failed');
      // Chunks 0 and 1 (items 0-49) committed, item 7 invalid.
      expect(await movementCount(world)).toBe(49);

      const result = await world.stockroom.adjustments.bulkUpdate(
        { mode: 'delta', items: rows(121) },
        { idempotencyKey: 'import-2' },
      );
      expect(result).toEqual(cleanResult(121));
      await expectImportedOnce(world, 121);
    });

    it('two processes configured differently start the same keyed import at once: one cut, each item once, both answer the clean result', async () => {
      await seedWarehouses(world.stockroom);
      const other = world.createStockroom({ bulkBatchSize: 25, bulkChunksInFlight: 1 });
      const items = [];
      for await (const item of rows(121)) items.push(item);
      const results = await Promise.all([
        world.stockroom.adjustments.bulkUpdate(
          { mode: 'delta', items },
          { idempotencyKey: 'import-8' },
        ),
        other.adjustments.bulkUpdate({ mode: 'delta', items }, { idempotencyKey: 'import-8' }),
      ]);
      expect(results).toEqual([cleanResult(121), cleanResult(121)]);
      await expectImportedOnce(world, 121);
    });

    it('the same key for the other mode is refused before anything is written', async () => {
      await seedWarehouses(world.stockroom);
      await expect(
        world.stockroom.adjustments.bulkUpdate(
          { mode: 'delta', items: rows(121, { breakAt: 100 }) },
          { idempotencyKey: 'import-3' },
        ),
      ).rejects.toThrow('the source failed');
      const before = await movementCount(world);
      await expect(
        world.stockroom.adjustments.bulkUpdate(
          { mode: 'set', items: rows(121) },
          { idempotencyKey: 'import-3' },
        ),
      ).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect(await movementCount(world)).toBe(before);
    });

    it('committed chunks without a record, at a size no one tries: refused, nothing applied; retried at its size, each item once', async () => {
      await seedWarehouses(world.stockroom);
      await expect(
        world.stockroom.adjustments.bulkUpdate(
          { mode: 'delta', items: rows(121, { breakAt: 100 }) },
          { idempotencyKey: 'import-4' },
        ),
      ).rejects.toThrow('the source failed');
      await forgetChunkSize(world, 'import-4');
      const before = await movementCount(world);

      const other = world.createStockroom({ bulkBatchSize: 25 });
      let closed = false;
      async function* source() {
        try {
          yield* rows(121);
        } finally {
          closed = true;
        }
      }
      const refused = other.adjustments.bulkUpdate(
        { mode: 'delta', items: source() },
        { idempotencyKey: 'import-4' },
      );
      await expect(refused).rejects.toBeInstanceOf(BulkChunkSizeUnknownError);
      await expect(refused).rejects.toMatchObject({
        code: 'IDEMPOTENCY_KEY_REUSED',
        key: 'import-4',
        sizesTried: [25, 2000, 1000],
      });
      expect(closed).toBe(true);
      expect(await movementCount(world)).toBe(before);

      // Configured with the size it started with: resumed, and recorded for the next retry.
      const result = await world.stockroom.adjustments.bulkUpdate(
        { mode: 'delta', items: rows(121) },
        { idempotencyKey: 'import-4' },
      );
      expect(result).toEqual(cleanResult(121));
      await expectImportedOnce(world, 121);
      expect(await recordedCut(world, 'import-4')).toEqual({ size: 40, separated: true });
    });
    it('committed chunks without a record, cut one at a time, retry configured with two in flight: the stored chunks pick the cut without SKU separation, each item once', async () => {
      await seedWarehouses(world.stockroom);
      const first = world.createStockroom({ bulkChunksInFlight: 1 });
      await expect(
        first.adjustments.bulkUpdate(
          { mode: 'delta', items: rows(121, { breakAt: 100 }) },
          { idempotencyKey: 'import-6' },
        ),
      ).rejects.toThrow('the source failed');
      await forgetChunkSize(world, 'import-6');
      // Chunks 0 (items 0-39) and 1 (40-79, S-0013's 40 and 41 with them) committed.
      expect(await movementCount(world)).toBe(79);

      // Retried from an array this time: the same items in the same order.
      const items = [];
      for await (const item of rows(121)) items.push(item);
      const result = await world.stockroom.adjustments.bulkUpdate(
        { mode: 'delta', items },
        { idempotencyKey: 'import-6' },
      );
      expect(result).toEqual(cleanResult(121));
      await expectImportedOnce(world, 121);
      expect(await recordedCut(world, 'import-6')).toEqual({ size: 40, separated: false });
    });

    it('committed chunks without a record, cut with two in flight, retry configured with one at a time: the cut with SKU separation, each item once', async () => {
      await seedWarehouses(world.stockroom);
      await expect(
        world.stockroom.adjustments.bulkUpdate(
          { mode: 'delta', items: rows(121, { breakAt: 100 }) },
          { idempotencyKey: 'import-7' },
        ),
      ).rejects.toThrow('the source failed');
      await forgetChunkSize(world, 'import-7');
      expect(await movementCount(world)).toBe(77);

      const other = world.createStockroom({ bulkChunksInFlight: 1 });
      const result = await other.adjustments.bulkUpdate(
        { mode: 'delta', items: rows(121) },
        { idempotencyKey: 'import-7' },
      );
      expect(result).toEqual(cleanResult(121));
      await expectImportedOnce(world, 121);
    });
  });

  describe(`${options.name}: a retried bulk import started by an earlier version at its default size`, () => {
    const world = useContractWorld(options, { bulkBatchSize: 2000, bulkChunksInFlight: 1 });

    it('committed chunks of 2,000 without a record, retry configured with chunks of 40: cut at 2,000 again, each item once', async () => {
      await seedWarehouses(world.stockroom);
      await expect(
        world.stockroom.adjustments.bulkUpdate(
          { mode: 'delta', items: rows(2100, { breakAt: 2050 }) },
          { idempotencyKey: 'import-5' },
        ),
      ).rejects.toThrow('the source failed');
      await forgetChunkSize(world, 'import-5');
      expect(await movementCount(world)).toBe(1999);

      const other = world.createStockroom({ bulkBatchSize: 40, bulkChunksInFlight: 2 });
      const result = await other.adjustments.bulkUpdate(
        { mode: 'delta', items: rows(2100) },
        { idempotencyKey: 'import-5' },
      );
      expect(result).toEqual(cleanResult(2100));
      await expectImportedOnce(world, 2100);
    });
  });
}
