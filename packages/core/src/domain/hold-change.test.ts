import { describe, expect, it } from 'vitest';
import { addToLines, splitHoldChange } from './hold-change.js';
import { endHold, settleParts } from './hold-parts.js';
import type { Reservation, ReservationLine } from './reservation.js';

const line = (
  sku: string,
  warehouseId: string,
  quantity: number,
  parts: Partial<ReservationLine> = {},
): ReservationLine => ({
  sku,
  warehouseId,
  quantity,
  refunded: 0,
  committed: 0,
  released: 0,
  preordered: 0,
  receiptId: null,
  expectedAt: null,
  backordered: 0,
  ...parts,
});

const hold = (lines: ReservationLine[]): Reservation => ({
  id: 'r1',
  status: 'ACTIVE',
  orderId: null,
  userId: null,
  lines,
  createdAt: new Date(0),
  expiresAt: new Date(60_000),
  committedAt: null,
  releasedAt: null,
  version: 3,
});

describe('splitHoldChange', () => {
  it('keeps pinned items first, then unpinned ones in line order; the rest is released', () => {
    const split = splitHoldChange(
      hold([line('A', 'paris', 3), line('A', 'berlin', 2), line('B', 'paris', 1)]),
      [
        { sku: 'A', quantity: 2 },
        { sku: 'A', quantity: 2, warehouseId: 'berlin' },
        { sku: 'C', quantity: 1 },
      ],
    );
    expect(split.lines).toEqual([line('A', 'paris', 2), line('A', 'berlin', 2)]);
    expect(split.releases).toEqual([
      { sku: 'A', warehouseId: 'paris', quantity: 1, type: 'RELEASE' },
      { sku: 'B', warehouseId: 'paris', quantity: 1, type: 'RELEASE' },
    ]);
    expect(split.extras).toEqual([{ sku: 'C', quantity: 1 }]);
  });

  it('sums duplicate items, counts only held units and leaves settled units alone', () => {
    const split = splitHoldChange(hold([line('A', 'paris', 5, { committed: 2, released: 1 })]), [
      { sku: 'A', quantity: 2 },
      { sku: 'A', quantity: 2 },
    ]);
    // 2 held are kept, 2 more are extra; the committed and released units stay on the line.
    expect(split.lines).toEqual([line('A', 'paris', 5, { committed: 2, released: 1 })]);
    expect(split.releases).toEqual([]);
    expect(split.extras).toEqual([{ sku: 'A', quantity: 2 }]);
    expect(addToLines(split.lines, [{ sku: 'A', warehouseId: 'paris', quantity: 2 }])).toEqual([
      line('A', 'paris', 7, { committed: 2, released: 1 }),
    ]);
  });
});

describe('settleParts and endHold', () => {
  const now = new Date(1_000);

  it('spreads an unpinned part over the SKU lines and ends the hold when nothing is held', () => {
    const reservation = hold([line('A', 'paris', 1), line('A', 'berlin', 2)]);
    const first = settleParts(reservation, [{ sku: 'A', quantity: 2 }], now, 'commit');
    expect(first.next.status).toBe('ACTIVE');
    expect(first.moves).toEqual([
      { sku: 'A', warehouseId: 'paris', quantity: 1, type: 'SALE' },
      { sku: 'A', warehouseId: 'berlin', quantity: 1, type: 'SALE' },
    ]);
    const last = settleParts(first.next, [{ sku: 'A', quantity: 1 }], now, 'release');
    expect(last.next).toMatchObject({ status: 'COMMITTED', version: 5, releasedAt: now });
    expect(() => settleParts(last.next, [{ sku: 'A', quantity: 1 }], now, 'release')).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE' }),
    );
  });

  it('expires a partly committed hold as COMMITTED and a plain one as EXPIRED', () => {
    const partly = hold([line('A', 'paris', 3, { committed: 1 })]);
    const ended = endHold(partly, now, 'EXPIRED');
    expect(ended.next.status).toBe('COMMITTED');
    expect(ended.next.lines[0]).toMatchObject({ committed: 1, released: 2 });
    expect(ended.moves).toEqual([
      { sku: 'A', warehouseId: 'paris', quantity: 2, type: 'EXPIRATION' },
    ]);
    expect(endHold(hold([line('A', 'paris', 3)]), now, 'EXPIRED')).toMatchObject({
      next: { status: 'EXPIRED' },
      linesChanged: false,
    });
  });
});
