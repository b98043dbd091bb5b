import { describe, expect, it } from 'vitest';
import { compareStockKeys } from '../domain/inventory-stock.js';
import { type Planned, type SeparatedChunk, SkuSeparator } from './bulk-chunks.js';

const WAREHOUSES = ['berlin', 'london', 'paris'] as const;

/** `count` items, 3 rows a SKU, cut into read chunks of `size` as `runBulkUpdate` plans them. */
function readChunks(count: number, size: number, skuOf = (index: number) => Math.floor(index / 3)) {
  const all: Planned[] = Array.from({ length: count }, (_unused, index) => ({
    index,
    sku: `S-${String(skuOf(index)).padStart(4, '0')}`,
    warehouseId: WAREHOUSES[index % 3]!,
    quantity: index + 1,
  }));
  const chunks: Planned[][] = [];
  for (let start = 0; start < count; start += size) {
    chunks.push(all.slice(start, start + size).sort(compareStockKeys));
  }
  return chunks;
}

function separate(chunks: readonly Planned[][]): SeparatedChunk[] {
  const separator = new SkuSeparator();
  return [...chunks.map((chunk) => separator.next(chunk)), separator.rest()].filter(
    (chunk) => chunk.items.length > 0,
  );
}

const skusOf = (chunk: SeparatedChunk) => new Set(chunk.items.map((item) => item.sku));
const indexes = (chunk: SeparatedChunk) => chunk.items.map((item) => item.index);

describe('SkuSeparator', () => {
  it('defers the items of a SKU straddling a boundary to the chunk after next', () => {
    // 3 rows a SKU, 10 items a read chunk: S-0003 has items 9 | 10, 11; S-0006 18, 19 | 20.
    const chunks = separate(readChunks(25, 10));
    expect(chunks.map(indexes)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [12, 13, 14, 15, 16, 17, 18, 19],
      [10, 11, 21, 22, 23, 24],
      [20],
    ]);
    expect(chunks.every((chunk) => !chunk.afterPrevious)).toBe(true);
  });

  it('two consecutive chunks never share a SKU; every item is in exactly one chunk, sorted', () => {
    for (const size of [1, 2, 3, 4, 5, 7, 40]) {
      const chunks = separate(readChunks(121, size));
      const seen = chunks.flatMap(indexes).sort((left, right) => left - right);
      expect(seen).toEqual(Array.from({ length: 121 }, (_unused, index) => index));
      for (let at = 1; at < chunks.length; at += 1) {
        if (chunks[at]!.afterPrevious) continue;
        const before = skusOf(chunks[at - 1]!);
        expect([...skusOf(chunks[at]!)].filter((sku) => before.has(sku))).toEqual([]);
      }
      for (const chunk of chunks) {
        expect([...chunk.items].sort(compareStockKeys)).toEqual(chunk.items);
        // At most the read chunk plus what the one before deferred: O(chunk) held.
        expect(chunk.items.length).toBeLessThanOrEqual(2 * size);
      }
    }
  });

  it('a SKU with more rows than a chunk is written in chunks that wait for the one before', () => {
    // One SKU, 7 rows (warehouses repeat in this pure test), read 2 at a time.
    const chunks = separate(readChunks(7, 2, () => 0));
    expect(chunks.flatMap(indexes).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(chunks.slice(1).every((chunk) => chunk.afterPrevious)).toBe(true);
    expect(chunks[0]!.afterPrevious).toBe(false);
  });

  it('is deterministic: the same items read the same way give the same chunks', () => {
    const first = separate(readChunks(500, 40, (index) => Math.floor(index / 7) % 13));
    const second = separate(readChunks(500, 40, (index) => Math.floor(index / 7) % 13));
    expect(second).toEqual(first);
  });
});
