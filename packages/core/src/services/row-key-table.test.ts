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

  it('answers with positions that skip (items that failed are never recorded)', () => {
    const table = new RowKeyTable();
    const rows = 70_000;
    // Every row at position 5k + 2 (the others failed): spans several blocks of hashes.
    let wrong = 0;
    for (let row = 0; row < rows; row += 1) {
      if (table.putIfAbsent(`S-${row}`, 'wh-1', row * 5 + 2) !== undefined) wrong += 1;
    }
    for (let row = 0; row < rows; row += 1) {
      if (table.putIfAbsent(`S-${row}`, 'wh-1', rows * 5 + row) !== row * 5 + 2) wrong += 1;
      if (table.putIfAbsent(`S-${row}`, 'wh-2', rows * 5 + row) !== undefined) wrong += 1;
    }
    expect(wrong).toBe(0);
    expect(table.putIfAbsent('S-69999', 'wh-1', 10 ** 6)).toBe(69_999 * 5 + 2);
    expect(table.putIfAbsent('S-69999', 'wh-2', 10 ** 6)).toBe(rows * 5 + 69_999);
  });

  it('holds a million rows in about 15 bytes a row, and finds each of them again', () => {
    const table = new RowKeyTable();
    const rows = 1_000_000;
    for (let index = 0; index < rows; index += 1) {
      if (
        table.putIfAbsent(`STREAM-${Math.floor(index / 3)}`, `wh-${index % 3}`, index) !== undefined
      ) {
        throw new Error(`row ${index} reported as a repeat`);
      }
    }
    // 16 blocks of hashes (8 MiB) and 256 index shards of 7,065 slots (6.9 MiB); 12-byte slots
    // took 24 MiB.
    expect(table.bytes).toBe(16 * 512 * 1024 + 256 * 7065 * 4);
    let found = 0;
    for (let index = 0; index < rows; index += 1) {
      if (table.putIfAbsent(`STREAM-${Math.floor(index / 3)}`, `wh-${index % 3}`, rows) === index) {
        found += 1;
      }
    }
    expect(found).toBe(rows);
  });
});
