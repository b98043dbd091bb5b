import type fc from 'fast-check';
import { expect } from 'vitest';
import { isStockroomError, type Stockroom } from '../../src/index.js';

// Model commands for changing a hold and settling parts of it (issue 17, items 2 and 3), and the
// model's view of a hold's lines that the main model test shares. Items and parts are pinned to
// a warehouse, so the model needs no allocation: one line per (sku, warehouse).

/** A reservation line of the model. */
export interface ModelLine {
  sku: string;
  warehouseId: string;
  quantity: number;
  refunded: number;
  committed: number;
  released: number;
  preordered: number;
  receiptId: string | null;
  expectedAt: Date | null;
  backordered: number;
  kitSku?: string;
}

/** What these commands need of the model. */
export interface HoldModel {
  rows: Map<string, { available: number; reserved: number }>;
  reservations: Array<{
    id: string;
    status: 'ACTIVE' | 'COMMITTED' | 'RELEASED' | 'EXPIRED';
    lines: ModelLine[];
    expiresAt: number;
  }>;
  now: number;
  safety: Map<string, number>;
  limits: Map<string, { min: number | null; max: number | null }>;
}

/** What these commands need of the system under test. */
export interface HoldReal {
  stockroom: Stockroom;
}

/** Runs the main test's invariant checks after a step. */
export type Check = (model: HoldModel, real: HoldReal) => Promise<void>;

type ModelReservation = HoldModel['reservations'][number];

const keyOf = (sku: string, warehouseId: string) => `${sku}@${warehouseId}`;

/** Units a model line still holds. */
export function heldOf(line: ModelLine): number {
  return line.quantity - line.committed - line.released;
}

/** Units of a model line sold and not refunded, once its hold is COMMITTED. */
export function refundableOf(line: ModelLine): number {
  return line.quantity - line.released - line.refunded;
}

/**
 * Ends an ACTIVE model hold: held units sold (COMMITTED) or back to available; a hold with
 * committed parts ends COMMITTED whatever the end, its given-back units counted as released.
 */
export function endModelHold(
  model: HoldModel,
  reservation: ModelReservation,
  end: 'COMMITTED' | 'RELEASED' | 'EXPIRED',
): void {
  const sold = reservation.lines.some((line) => line.committed > 0);
  for (const line of reservation.lines) {
    const held = heldOf(line);
    const row = model.rows.get(keyOf(line.sku, line.warehouseId))!;
    row.reserved -= held;
    if (end !== 'COMMITTED') {
      row.available += held;
      if (sold) line.released += held;
    }
  }
  reservation.status = end === 'COMMITTED' || sold ? 'COMMITTED' : end;
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isStockroomError(error)) return error.code;
    throw error;
  }
}

/** A pinned item or part. */
export interface PinnedItem {
  readonly sku: string;
  readonly warehouseId: string;
  readonly quantity: number;
}

/** Changes a hold's items (all pinned) and checks kept, released and extra units. */
export class ChangeHold implements fc.AsyncCommand<HoldModel, HoldReal> {
  constructor(
    readonly pick: number,
    readonly items: readonly PinnedItem[],
    readonly check_: Check,
  ) {}
  check = (model: Readonly<HoldModel>) => model.reservations.length > 0;
  async run(model: HoldModel, real: HoldReal) {
    const reservation = model.reservations[this.pick % model.reservations.length]!;
    const result = await outcome(
      real.stockroom.reservations.change(reservation.id, { items: this.items }),
    );
    if (
      reservation.status !== 'ACTIVE' ||
      model.now >= reservation.expiresAt ||
      reservation.lines.some((line) => line.kitSku !== undefined)
    ) {
      // Holds with kit lines are not changed (released and reserved again instead).
      expect(result).toBe('INVALID_STATE');
      return this.check_(model, real);
    }
    const perSku = new Map<string, number>();
    const wanted = new Map<string, number>();
    for (const item of this.items) {
      perSku.set(item.sku, (perSku.get(item.sku) ?? 0) + item.quantity);
      const key = keyOf(item.sku, item.warehouseId);
      wanted.set(key, (wanted.get(key) ?? 0) + item.quantity);
    }
    const overLimit = [...perSku].some(([sku, units]) => {
      const limits = model.limits.get(sku);
      return (
        limits !== undefined &&
        ((limits.min !== null && units < limits.min) || (limits.max !== null && units > limits.max))
      );
    });
    if (overLimit) {
      expect(result).toBe('CART_LIMIT_EXCEEDED');
      return this.check_(model, real);
    }
    const lineOf = new Map(
      reservation.lines.map((line) => [keyOf(line.sku, line.warehouseId), line]),
    );
    const releases = new Map<string, number>();
    for (const [key, line] of lineOf) {
      const released = heldOf(line) - Math.min(heldOf(line), wanted.get(key) ?? 0);
      if (released > 0) releases.set(key, released);
    }
    const extras = new Map<string, number>();
    for (const [key, units] of wanted) {
      const held = lineOf.get(key) ? heldOf(lineOf.get(key)!) : 0;
      if (units > held) extras.set(key, units - held);
    }
    // Extra units are planned on the rows after the releases, around safety stock.
    const fits = [...extras].every(([key, units]) => {
      const available = (model.rows.get(key)?.available ?? 0) + (releases.get(key) ?? 0);
      return available - (model.safety.get(key) ?? 0) >= units;
    });
    if (!fits) {
      expect(result).toBe('INSUFFICIENT_STOCK');
      return this.check_(model, real);
    }
    expect(result).toBe('ok');
    for (const [key, units] of releases) {
      const row = model.rows.get(key)!;
      row.available += units;
      row.reserved -= units;
      lineOf.get(key)!.quantity -= units;
    }
    reservation.lines = reservation.lines.filter((line) => line.quantity > 0);
    for (const [key, units] of extras) {
      const row = model.rows.get(key)!;
      row.available -= units;
      row.reserved += units;
      const line = reservation.lines.find((item) => keyOf(item.sku, item.warehouseId) === key);
      if (line) line.quantity += units;
      else {
        const [sku, warehouseId] = key.split('@') as [string, string];
        reservation.lines.push({
          sku,
          warehouseId,
          quantity: units,
          refunded: 0,
          committed: 0,
          released: 0,
          preordered: 0,
          receiptId: null,
          expectedAt: null,
          backordered: 0,
        });
      }
    }
    await expectLines(real, reservation);
    return this.check_(model, real);
  }
  toString = () => `change(#${this.pick}, ${JSON.stringify(this.items)})`;
}

/**
 * Commits or releases one pinned part of a hold: `units` of the line `linePick` picks (of
 * `fallback`'s row when the hold has no line left), so most parts name a line of the hold.
 */
export class SettlePart implements fc.AsyncCommand<HoldModel, HoldReal> {
  private part: PinnedItem;

  constructor(
    readonly kind: 'commit' | 'release',
    readonly pick: number,
    readonly linePick: number,
    readonly fallback: PinnedItem,
    readonly check_: Check,
  ) {
    this.part = fallback;
  }
  check = (model: Readonly<HoldModel>) => model.reservations.length > 0;
  async run(model: HoldModel, real: HoldReal) {
    const reservation = model.reservations[this.pick % model.reservations.length]!;
    // Parts of kit holds are covered by the kit commands: this model keys lines by SKU and
    // warehouse, which a kit line and a plain line of one SKU share.
    if (reservation.lines.some((line) => line.kitSku !== undefined))
      return this.check_(model, real);
    const picked = reservation.lines[this.linePick % Math.max(reservation.lines.length, 1)];
    this.part = picked
      ? { sku: picked.sku, warehouseId: picked.warehouseId, quantity: this.fallback.quantity }
      : this.fallback;
    const request = { lines: [this.part] };
    const result = await outcome(
      this.kind === 'commit'
        ? real.stockroom.reservations.commitPart(reservation.id, request)
        : real.stockroom.reservations.releasePart(reservation.id, request),
    );
    const line = reservation.lines.find(
      (item) => item.sku === this.part.sku && item.warehouseId === this.part.warehouseId,
    );
    if (
      reservation.status !== 'ACTIVE' ||
      (this.kind === 'commit' && model.now >= reservation.expiresAt) ||
      !line ||
      heldOf(line) < this.part.quantity
    ) {
      expect(result).toBe('INVALID_STATE');
      return this.check_(model, real);
    }
    expect(result).toBe('ok');
    const row = model.rows.get(keyOf(line.sku, line.warehouseId))!;
    row.reserved -= this.part.quantity;
    if (this.kind === 'commit') line.committed += this.part.quantity;
    else {
      line.released += this.part.quantity;
      row.available += this.part.quantity;
    }
    if (reservation.lines.every((item) => heldOf(item) === 0)) {
      reservation.status = reservation.lines.some((item) => item.committed > 0)
        ? 'COMMITTED'
        : 'RELEASED';
    }
    await expectLines(real, reservation);
    return this.check_(model, real);
  }
  toString = () => `${this.kind}Part(#${this.pick}, ${JSON.stringify(this.part)})`;
}

/** The stored lines equal the model's, in any order. */
async function expectLines(real: HoldReal, reservation: ModelReservation): Promise<void> {
  const stored = await real.stockroom.reservations.get(reservation.id);
  const sorted = (lines: readonly ModelLine[]) =>
    lines
      .map(({ sku, warehouseId, quantity, committed, released }) => ({
        sku,
        warehouseId,
        quantity,
        committed,
        released,
      }))
      .sort((left, right) =>
        keyOf(left.sku, left.warehouseId) < keyOf(right.sku, right.warehouseId) ? -1 : 1,
      );
  expect(sorted(stored?.lines ?? [])).toEqual(sorted(reservation.lines));
  expect(stored?.status).toBe(reservation.status);
}
