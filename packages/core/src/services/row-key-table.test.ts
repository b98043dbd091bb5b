import { describe, expect, it } from 'vitest';
import { RowKeyTable } from './row-key-table.js';

describe('RowKeyTable', () => {
  it('records a row once and answers a repeat with the first position', () => {
    const table = new RowKeyTable();
    expect(table.putIfAbsent('SKU-1', 'wh-1', 0)).toBeUndefined();
    expect(table.putIfAbsent('SKU-1', 'wh-2', 1)).toBeUndefined();
    expect(table.putIfAbsent('SKU-1', 'wh-1', 2)).toBe(0);
    expect(table.putIfAbsent('SKU-1', 'wh-2', 7)).toBe(1);
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    expect(table.putIfAbsent('ab', 'c', 3)).toBeUndefined();
    expect(table.putIfAbsent('a', 'bc', 4)).toBeUndefined();
  });

  it('keeps every row and its position through the shards growing', () => {
    const table = new RowKeyTable();
    const rows = 200_000;
    for (let index = 0; index < rows; index += 1) {
      expect(table.putIfAbsent(`SKU-${Math.floor(index / 3)}`, `wh-${index % 3}`, index)).toBe(
        undefined,
      );
    }
    let repeats = 0;
    for (let index = 0; index < rows; index += 997) {
      const first = table.putIfAbsent(`SKU-${Math.floor(index / 3)}`, `wh-${index % 3}`, rows);
      if (first === index) repeats += 1;
    }
    expect(repeats).toBe(Math.ceil(rows / 997));
  });

  it('gives positions from 2^32 - 1 on back exactly', () => {
    const table = new RowKeyTable();
    const far = 2 ** 32 + 5;
    expect(table.putIfAbsent('SKU-far', 'wh-1', far)).toBeUndefined();
    expect(table.putIfAbsent('SKU-near', 'wh-1', 2 ** 32 - 2)).toBeUndefined();
    expect(table.putIfAbsent('SKU-far', 'wh-1', far + 1)).toBe(far);
    expect(table.putIfAbsent('SKU-near', 'wh-1', far + 2)).toBe(2 ** 32 - 2);
  });
});
