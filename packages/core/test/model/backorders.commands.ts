import fc from 'fast-check';
import { expect } from 'vitest';
import {
  isStockroomError,
  type ManualClock,
  type MemoryStockStore,
  type Stockroom,
} from '../../src/index.js';
import { backorderedMismatches, readAll } from '../../src/testing/index.js';

// Backorders in the model-based test. They run on a SKU of their own (`BACKORDER_SKU`), so the
// other commands (whose model knows nothing of backorders) never meet a backordered row; their
// reservations live in `BackorderModel.holds`, not in the main list, and last longer than any
// sequence, so neither the expiry sweep nor order cancellations of the main model touch them.

/** The SKU the backorder commands work on. */
export const BACKORDER_SKU = 'BO';

/** One reservation of the backorder SKU, one pinned line. */
interface BackorderHold {
  readonly id: string;
  status: 'ACTIVE' | 'COMMITTED' | 'RELEASED';
  readonly createdAt: number;
  readonly warehouseId: string;
  readonly quantity: number;
  backordered: number;
}

/** What the model knows of backorders. */
export interface BackorderModel {
  policy: 'DENY' | 'CONTINUE';
  limit: number | null;
  /** Backordered units per warehouse (the rows' fifth bucket). */
  readonly backordered: Map<string, number>;
  readonly holds: BackorderHold[];
}

/** The empty backorder model: the SKU denies backorders. */
export function emptyBackorderModel(): BackorderModel {
  return { policy: 'DENY', limit: null, backordered: new Map(), holds: [] };
}

interface ModelRow {
  available: number;
  reserved: number;
  damaged: number;
  inTransit: number;
}

/** The part of the main model the backorder commands use. */
interface Model {
  rows: Map<string, ModelRow>;
  /** Safety stock per row key (absent: 0). */
  safety: Map<string, number>;
  now: number;
  backorders: BackorderModel;
}
interface Real {
  stockroom: Stockroom;
  store: MemoryStockStore;
  clock: ManualClock;
}
type Command = fc.AsyncCommand<Model, Real>;

const keyOf = (warehouseId: string) => `${BACKORDER_SKU}@${warehouseId}`;

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isStockroomError(error)) return error.code;
    throw error;
  }
}

/**
 * The extended invariants after every step: each row's `backordered` is the model's and the
 * sum of its waiting lines, and every hold's line is the model's.
 */
export async function checkBackorders(model: Model, real: Real): Promise<void> {
  const rows = await readAll((page) => real.store.reads.allStock(page));
  const actual = Object.fromEntries(
    rows.filter((row) => row.backordered > 0).map((row) => [row.warehouseId, row.backordered]),
  );
  const expected = Object.fromEntries(
    [...model.backorders.backordered].filter(([, units]) => units > 0),
  );
  expect(actual).toEqual(expected);
  expect(rows.every((row) => row.sku === BACKORDER_SKU || row.backordered === 0)).toBe(true);
  expect(await backorderedMismatches(real.store)).toEqual([]);
  for (const hold of model.backorders.holds) {
    const stored = await real.stockroom.reservations.get(hold.id);
    expect(stored?.status).toBe(hold.status);
    expect(stored?.lines).toEqual([
      {
        sku: BACKORDER_SKU,
        warehouseId: hold.warehouseId,
        quantity: hold.quantity,
        refunded: 0,
        backordered: hold.backordered,
        committed: 0,
        released: 0,
        preordered: 0,
        receiptId: null,
        expectedAt: null,
      },
    ]);
  }
}

/** What checks and reservations may take from a row: available less its safety stock. */
function sellable(model: Model, warehouseId: string): number {
  const row = model.rows.get(keyOf(warehouseId));
  return Math.max(0, (row?.available ?? 0) - (model.safety.get(keyOf(warehouseId)) ?? 0));
}

/** Fills the waiting lines of a row from its sellable units, first reserved, first served. */
function fill(model: Model, warehouseId: string): void {
  const row = model.rows.get(keyOf(warehouseId));
  if (!row) return;
  const waiting = model.backorders.holds
    .filter(
      (hold) =>
        hold.warehouseId === warehouseId && hold.backordered > 0 && hold.status !== 'RELEASED',
    )
    .sort((left, right) =>
      left.createdAt !== right.createdAt
        ? left.createdAt - right.createdAt
        : left.id < right.id
          ? -1
          : 1,
    );
  for (const hold of waiting) {
    const units = Math.min(hold.backordered, sellable(model, warehouseId));
    if (units === 0) break;
    row.available -= units;
    if (hold.status === 'ACTIVE') row.reserved += units;
    hold.backordered -= units;
    const bucket = model.backorders.backordered;
    bucket.set(warehouseId, (bucket.get(warehouseId) ?? 0) - units);
  }
}

class SetBackorderPolicy implements Command {
  constructor(
    readonly policy: 'DENY' | 'CONTINUE',
    readonly limit: number | null,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const result = await outcome(
      real.stockroom.skuPolicies.set({
        sku: BACKORDER_SKU,
        backorderPolicy: this.policy,
        backorderLimit: this.limit,
      }),
    );
    expect(result).toBe('ok');
    model.backorders.policy = this.policy;
    model.backorders.limit = this.limit;
    await checkBackorders(model, real);
  }
  toString = () => `backorderPolicy(${this.policy}, limit ${this.limit})`;
}

class RestockBackordered implements Command {
  constructor(
    readonly warehouseId: string,
    readonly quantity: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.stockroom.adjustments.adjust({
      sku: BACKORDER_SKU,
      warehouseId: this.warehouseId,
      type: 'RESTOCK',
      quantity: this.quantity,
    });
    const key = keyOf(this.warehouseId);
    const row = model.rows.get(key) ?? { available: 0, reserved: 0, damaged: 0, inTransit: 0 };
    row.available += this.quantity;
    model.rows.set(key, row);
    fill(model, this.warehouseId);
    await checkBackorders(model, real);
  }
  toString = () => `restockBackordered(${this.warehouseId}, ${this.quantity})`;
}

class ReserveBackordered implements Command {
  constructor(
    readonly warehouseId: string,
    readonly quantity: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    let id = '';
    const result = await outcome(
      real.stockroom.reservations
        .reserve({
          items: [{ sku: BACKORDER_SKU, warehouseId: this.warehouseId, quantity: this.quantity }],
          // Longer than any sequence: the main model's expiry sweep never meets it.
          ttlSeconds: 3600,
        })
        .then((reservation) => {
          id = reservation.id;
        }),
    );
    const row = model.rows.get(keyOf(this.warehouseId));
    const held = Math.min(this.quantity, sellable(model, this.warehouseId));
    const excess = this.quantity - held;
    const waiting = model.backorders.backordered.get(this.warehouseId) ?? 0;
    const { policy, limit } = model.backorders;
    const admitted =
      row !== undefined &&
      (excess === 0 || (policy === 'CONTINUE' && (limit === null || waiting + excess <= limit)));
    if (!admitted) expect(result).toBe('INSUFFICIENT_STOCK');
    else {
      expect(result).toBe('ok');
      row.available -= held;
      row.reserved += held;
      model.backorders.backordered.set(this.warehouseId, waiting + excess);
      model.backorders.holds.push({
        id,
        status: 'ACTIVE',
        createdAt: model.now,
        warehouseId: this.warehouseId,
        quantity: this.quantity,
        backordered: excess,
      });
    }
    await checkBackorders(model, real);
  }
  toString = () => `reserveBackordered(${this.warehouseId}, ${this.quantity})`;
}

class SettleBackordered implements Command {
  constructor(
    readonly pick: number,
    readonly action: 'commit' | 'release',
  ) {}
  check = (model: Readonly<Model>) => model.backorders.holds.length > 0;
  async run(model: Model, real: Real) {
    const holds = model.backorders.holds;
    const hold = holds[this.pick % holds.length]!;
    const result = await outcome(real.stockroom.reservations[this.action](hold.id));
    const row = model.rows.get(keyOf(hold.warehouseId))!;
    const held = hold.quantity - hold.backordered;
    if (this.action === 'commit') {
      if (hold.status === 'RELEASED') expect(result).toBe('INVALID_STATE');
      else {
        expect(result).toBe('ok');
        if (hold.status === 'ACTIVE') {
          row.reserved -= held;
          hold.status = 'COMMITTED';
        }
      }
    } else if (hold.status === 'COMMITTED') expect(result).toBe('INVALID_STATE');
    else {
      expect(result).toBe('ok');
      if (hold.status === 'ACTIVE') {
        row.available += held;
        row.reserved -= held;
        const bucket = model.backorders.backordered;
        bucket.set(hold.warehouseId, (bucket.get(hold.warehouseId) ?? 0) - hold.backordered);
        hold.status = 'RELEASED';
        // The released units are the next waiting reservations' first.
        fill(model, hold.warehouseId);
      }
    }
    await checkBackorders(model, real);
  }
  toString = () => `${this.action}Backordered(#${this.pick})`;
}

/**
 * A safety stock change on the backorder SKU's row: a lower one makes units sellable, and the
 * waiting lines take them in the same transaction, as a restock would give them.
 */
class SetSafetyBackordered implements Command {
  constructor(
    readonly warehouseId: string,
    readonly safetyStock: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const row = await real.stockroom.adjustments.updateSettings({
      sku: BACKORDER_SKU,
      warehouseId: this.warehouseId,
      safetyStock: this.safetyStock,
    });
    const key = keyOf(this.warehouseId);
    // Settings on a missing row create it empty (no movement).
    if (!model.rows.has(key))
      model.rows.set(key, { available: 0, reserved: 0, damaged: 0, inTransit: 0 });
    model.safety.set(key, this.safetyStock);
    fill(model, this.warehouseId);
    // The answer is the row after the fills.
    expect(row).toMatchObject({
      ...model.rows.get(key),
      backordered: model.backorders.backordered.get(this.warehouseId) ?? 0,
      safetyStock: this.safetyStock,
    });
    await checkBackorders(model, real);
  }
  toString = () => `safetyBackordered(${this.warehouseId}, ${this.safetyStock})`;
}

/**
 * Safety stock holding units back from backorders, then let go: allow backorders, stock the
 * row, keep it all as safety stock, reserve (all backordered), lower the safety stock.
 */
class SafetyCycle implements Command {
  constructor(
    readonly warehouseId: string,
    readonly stock: number,
    readonly reserve: number,
    readonly lowered: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await new SetBackorderPolicy('CONTINUE', null).run(model, real);
    await new RestockBackordered(this.warehouseId, this.stock).run(model, real);
    const row = model.rows.get(keyOf(this.warehouseId))!;
    await new SetSafetyBackordered(this.warehouseId, row.available).run(model, real);
    await new ReserveBackordered(this.warehouseId, this.reserve).run(model, real);
    await new SetSafetyBackordered(this.warehouseId, this.lowered).run(model, real);
  }
  toString = () =>
    `safetyCycle(${this.warehouseId}, stock ${this.stock}, reserve ${this.reserve}, lowered to ${this.lowered})`;
}

/**
 * A backorder's life in one step of the sequence (short sequences rarely line the single
 * commands up): allow backorders, reserve beyond the row, restock, then commit or release —
 * the model checked after each part.
 */
class BackorderCycle implements Command {
  constructor(
    readonly warehouseId: string,
    readonly limit: number | null,
    readonly stock: number,
    readonly reserve: number,
    readonly restock: number,
    readonly pick: number,
    readonly action: 'commit' | 'release',
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await new SetBackorderPolicy('CONTINUE', this.limit).run(model, real);
    if (this.stock > 0) await new RestockBackordered(this.warehouseId, this.stock).run(model, real);
    await new ReserveBackordered(this.warehouseId, this.reserve).run(model, real);
    await new RestockBackordered(this.warehouseId, this.restock).run(model, real);
    if (model.backorders.holds.length > 0)
      await new SettleBackordered(this.pick, this.action).run(model, real);
  }
  toString = () =>
    `backorderCycle(${this.warehouseId}, limit ${this.limit}, stock ${this.stock}, reserve ${this.reserve}, restock ${this.restock}, ${this.action} #${this.pick})`;
}

// Mostly one row, so reservations, restocks and releases meet on it.
const warehouse = fc.constantFrom('paris', 'paris', 'paris', 'london');

const policyCommand = fc
  .tuple(
    fc.constantFrom('DENY' as const, 'CONTINUE' as const, 'CONTINUE' as const),
    fc.option(fc.integer({ min: 0, max: 8 }), { nil: null }),
  )
  .map(([policy, limit]) => new SetBackorderPolicy(policy, limit));
const restockCommand = fc
  .tuple(warehouse, fc.integer({ min: 1, max: 8 }))
  .map(([w, q]) => new RestockBackordered(w, q));
const reserveCommand = fc
  .tuple(warehouse, fc.integer({ min: 1, max: 6 }))
  .map(([w, q]) => new ReserveBackordered(w, q));
const settleCommand = fc
  .tuple(fc.nat(), fc.constantFrom('commit' as const, 'release' as const))
  .map(([pick, action]) => new SettleBackordered(pick, action));

/** The backorder commands, for the main command list. */
export const backorderCommands = [
  policyCommand,
  restockCommand,
  reserveCommand,
  settleCommand,
  fc
    .tuple(warehouse, fc.integer({ min: 0, max: 6 }))
    .map(([w, safety]) => new SetSafetyBackordered(w, safety)),
  fc
    .tuple(
      warehouse,
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 0, max: 6 }),
    )
    .map(([w, stock, reserve, lowered]) => new SafetyCycle(w, stock, reserve, lowered)),
  fc
    .tuple(
      warehouse,
      fc.option(fc.integer({ min: 2, max: 12 }), { nil: null }),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 8 }),
      fc.nat(),
      fc.constantFrom('commit' as const, 'release' as const),
    )
    .map(
      ([w, limit, stock, reserve, restock, pick, action]) =>
        new BackorderCycle(w, limit, stock, reserve, restock, pick, action),
    ),
];
