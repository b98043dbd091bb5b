import { encodeCursor } from '@stockroom/core/adapter-kit';
import { describe, expect, it } from 'vitest';
import { postgresCodec, sqliteCodec } from './codec.js';
import { pageOf, positionOf } from './keyset-page.js';
import { outcome } from './write-outcome.js';

describe('keyset pages', () => {
  it('cuts limit + 1 items into a page whose cursor encodes times as ISO text', () => {
    const at = new Date('2026-03-01T12:00:00.000Z');
    const items = [
      { id: 'a', at },
      { id: 'b', at },
      { id: 'c', at },
    ];
    const page = pageOf(items, 2, (item) => [item.at, item.id]);
    expect(page.items.map((item) => item.id)).toEqual(['a', 'b']);
    expect(page.nextCursor).toBe(encodeCursor(['2026-03-01T12:00:00.000Z', 'b']));
    expect(pageOf(items, 3, (item) => [item.id]).nextCursor).toBeNull();
  });

  it('decodes the cursor it made back to a Date, and refuses another store shape', () => {
    const cursor = encodeCursor(['2026-03-01T12:00:00.000Z', 'b']);
    expect(positionOf({ cursor }, ['time', 'string'] as const)).toEqual([
      new Date('2026-03-01T12:00:00.000Z'),
      'b',
    ]);
    expect(positionOf({}, ['time', 'string'] as const)).toBeUndefined();
    // An integer-millisecond time (what SQLite cursors held before the kit) is not a cursor.
    expect(() =>
      positionOf({ cursor: encodeCursor([1_772_366_400_000, 'b']) }, ['time', 'string'] as const),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

describe('engine codecs', () => {
  it('pg: int8 text to numbers, Dates kept; SQLite: milliseconds both ways', () => {
    const at = new Date('2026-03-01T12:00:00.000Z');
    expect(postgresCodec.int('9007199254740991')).toBe(9_007_199_254_740_991);
    expect(postgresCodec.time(at)).toBe(at);
    expect(postgresCodec.time(at.getTime())).toEqual(at);
    expect(postgresCodec.toTime(at)).toBe(at);
    expect(sqliteCodec.int(42)).toBe(42);
    expect(sqliteCodec.time(at.getTime())).toEqual(at);
    expect(sqliteCodec.toTime(at)).toBe(at.getTime());
  });
});

describe('write outcomes', () => {
  it('applied only when exactly the expected rows changed', () => {
    expect(outcome(1n)).toEqual({ applied: true });
    expect(outcome(0n)).toEqual({ applied: false });
    expect(outcome(2n)).toEqual({ applied: false });
    expect(outcome(undefined)).toEqual({ applied: false });
    expect(outcome(3n, 3n)).toEqual({ applied: true });
  });
});
