import fc from 'fast-check';
import { expect } from 'vitest';
import { isStockroomError, type ManualClock, type Stockroom } from '../../src/index.js';
import { preorderMismatches } from '../../src/testing/index.js';

// Incoming stock and preorders in the model-based test. One SKU, `P`, is kept apart from the
// main file's SKUs: it is restocked, received and reserved only through these commands, and
// its reservations (long-lived, so the main file's expiry never reaches them) live in
// `model.preorders`, not in `model.reservations`.

/** The SKU these commands work on. */
export const PREORDER_SKU = 'P';
/** Warehouses by allocation priority (the fixtures' priorities: London 1, Paris 2, Berlin 3). */
const BY_PRIORITY = ['london', 'paris', 'berlin'] as const;
const DAY = 24 * 60 * 60 * 1000;

/** A receipt as the model sees it. */
export interface ModelReceipt {
  id: string;
  warehouseId: string;
  quantity: number;
  received: number;
  preordered: number;
  expectedAt: number;
  /** Creation order (ids are time-ordered, so it is the id order among equal times). */
  order: number;
  status: 'EXPECTED' | 'PARTIALLY_RECEIVED' | 'RECEIVED' | 'CANCELLED';
}

/** A reservation of `P` as the model sees it. */
export interface ModelPreorder {
  id: string;
  status: 'ACTIVE' | 'COMMITTED' | 'RELEASED';
  lines: Array<{
    warehouseId: string;
    quantity: number;
    preordered: number;
    receiptId: string | null;
  }>;
}

/** What the preorder commands need of the main file's model. */
export interface PreorderModel {
  rows: Map<string, { available: number; reserved: number; damaged: number; inTransit: number }>;
  receipts: ModelReceipt[];
  preorders: ModelPreorder[];
  allowPreorder: boolean;
  now: number;
}

interface PreorderReal {
  stockroom: Stockroom;
  clock: ManualClock;
}

type Command = fc.AsyncCommand<PreorderModel, PreorderReal>;

const keyOf = (warehouseId: string) => `${PREORDER_SKU}@${warehouseId}`;

function rowOf(model: PreorderModel, warehouseId: string) {
  const key = keyOf(warehouseId);
  let row = model.rows.get(key);
  if (!row) {
    row = { available: 0, reserved: 0, damaged: 0, inTransit: 0 };
    model.rows.set(key, row);
  }
  return row;
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

const isOpen = (receipt: ModelReceipt) =>
  receipt.status === 'EXPECTED' || receipt.status === 'PARTIALLY_RECEIVED';

/**
 * The preorder invariants and the receipts against the model: each receipt's status and counts,
 * and `preorderedQuantity` = Σ preordered units of the ACTIVE lines pointing at it.
 */
export async function checkPreorders(model: PreorderModel, real: PreorderReal): Promise<void> {
  expect(await preorderMismatches(real.stockroom)).toEqual([]);
  for (const receipt of model.receipts) {
    expect(await real.stockroom.incoming.get(receipt.id)).toMatchObject({
      status: receipt.status,
      receivedQuantity: receipt.received,
      preorderedQuantity: receipt.preordered,
    });
  }
  for (const preorder of model.preorders) {
    const stored = await real.stockroom.reservations.get(preorder.id);
    expect(stored?.status).toBe(preorder.status);
    const units = (lines: ReadonlyArray<{ quantity: number; preordered: number }>) =>
      lines.reduce((sum, line) => [sum[0]! + line.quantity, sum[1]! + line.preordered], [0, 0]);
    expect(units(stored?.lines ?? [])).toEqual(units(preorder.lines));
  }
}

class RestockP implements Command {
  constructor(
    readonly warehouseId: string,
    readonly quantity: number,
  ) {}
  check = () => true;
  async run(model: PreorderModel, real: PreorderReal) {
    await real.stockroom.adjustments.adjust({
      sku: PREORDER_SKU,
      warehouseId: this.warehouseId,
      type: 'RESTOCK',
      quantity: this.quantity,
    });
    rowOf(model, this.warehouseId).available += this.quantity;
    await checkPreorders(model, real);
  }
  toString = () => `restockP(${this.warehouseId}, ${this.quantity})`;
}

class AllowPreorder implements Command {
  constructor(readonly allow: boolean) {}
  check = () => true;
  async run(model: PreorderModel, real: PreorderReal) {
    await real.stockroom.skuPolicies.set({ sku: PREORDER_SKU, allowPreorder: this.allow });
    model.allowPreorder = this.allow;
    await checkPreorders(model, real);
  }
  toString = () => `allowPreorder(${this.allow})`;
}

class CreateReceipt implements Command {
  constructor(
    readonly warehouseId: string,
    readonly quantity: number,
    readonly days: number,
  ) {}
  check = () => true;
  async run(model: PreorderModel, real: PreorderReal) {
    const expectedAt = model.now + this.days * DAY;
    const receipt = await real.stockroom.incoming.create({
      sku: PREORDER_SKU,
      warehouseId: this.warehouseId,
      quantity: this.quantity,
      expectedAt: new Date(expectedAt),
    });
    model.receipts.push({
      id: receipt.id,
      warehouseId: this.warehouseId,
      quantity: this.quantity,
      received: 0,
      preordered: 0,
      expectedAt,
      order: model.receipts.length,
      status: 'EXPECTED',
    });
    await checkPreorders(model, real);
  }
  toString = () => `receipt(${this.warehouseId}, ${this.quantity}, +${this.days}d)`;
}

class ReserveP implements Command {
  constructor(readonly quantity: number) {}
  check = () => true;
  async run(model: PreorderModel, real: PreorderReal) {
    let id = '';
    const result = await outcome(
      real.stockroom.reservations
        .reserve({ items: [{ sku: PREORDER_SKU, quantity: this.quantity }], ttlSeconds: 3600 })
        .then((reservation) => {
          id = reservation.id;
        }),
    );
    const sellable = BY_PRIORITY.reduce(
      (sum, warehouseId) => sum + (model.rows.get(keyOf(warehouseId))?.available ?? 0),
      0,
    );
    const missing = Math.max(0, this.quantity - sellable);
    const open = model.receipts
      .filter(isOpen)
      .sort((left, right) => left.expectedAt - right.expectedAt || left.order - right.order);
    const incoming = open.reduce(
      (sum, receipt) => sum + receipt.quantity - receipt.received - receipt.preordered,
      0,
    );
    if (missing > 0 && (!model.allowPreorder || incoming < missing)) {
      expect(result).toBe('INSUFFICIENT_STOCK');
      await checkPreorders(model, real);
      return;
    }
    expect(result).toBe('ok');
    const lines: ModelPreorder['lines'] = [];
    let held = this.quantity - missing;
    for (const warehouseId of BY_PRIORITY) {
      const row = model.rows.get(keyOf(warehouseId));
      if (!row || row.available === 0 || held === 0) continue;
      const taken = Math.min(row.available, held);
      row.available -= taken;
      row.reserved += taken;
      held -= taken;
      lines.push({ warehouseId, quantity: taken, preordered: 0, receiptId: null });
    }
    let left = missing;
    for (const receipt of open) {
      const units = Math.min(receipt.quantity - receipt.received - receipt.preordered, left);
      if (units <= 0) continue;
      receipt.preordered += units;
      left -= units;
      lines.push({
        warehouseId: receipt.warehouseId,
        quantity: units,
        preordered: units,
        receiptId: receipt.id,
      });
    }
    model.preorders.push({ id, status: 'ACTIVE', lines });
    await checkPreorders(model, real);
  }
  toString = () => `reserveP(${this.quantity})`;
}

class ReceiveReceipt implements Command {
  constructor(
    readonly pick: number,
    readonly quantity: number | undefined,
  ) {}
  check = (model: Readonly<PreorderModel>) => model.receipts.length > 0;
  async run(model: PreorderModel, real: PreorderReal) {
    const receipt = model.receipts[this.pick % model.receipts.length]!;
    const result = await outcome(
      real.stockroom.incoming.receive(
        receipt.id,
        this.quantity === undefined ? {} : { quantity: this.quantity },
      ),
    );
    const remaining = receipt.quantity - receipt.received;
    if (receipt.status === 'RECEIVED' && this.quantity === undefined) expect(result).toBe('ok');
    else if (!isOpen(receipt) || (this.quantity ?? remaining) > remaining)
      expect(result).toBe('INVALID_STATE');
    else {
      expect(result).toBe('ok');
      const quantity = this.quantity ?? remaining;
      const row = rowOf(model, receipt.warehouseId);
      row.available += quantity;
      let left = Math.min(quantity, receipt.preordered);
      receipt.preordered -= left;
      receipt.received += quantity;
      receipt.status = receipt.received === receipt.quantity ? 'RECEIVED' : 'PARTIALLY_RECEIVED';
      for (const preorder of model.preorders) {
        if (preorder.status !== 'ACTIVE') continue;
        for (const line of preorder.lines) {
          if (left === 0 || line.receiptId !== receipt.id || line.preordered === 0) continue;
          const units = Math.min(line.preordered, left);
          line.preordered -= units;
          left -= units;
          row.available -= units;
          row.reserved += units;
        }
      }
      expect(left).toBe(0);
    }
    await checkPreorders(model, real);
  }
  toString = () => `receive(#${this.pick}, ${this.quantity ?? 'rest'})`;
}

class CancelReceipt implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<PreorderModel>) => model.receipts.length > 0;
  async run(model: PreorderModel, real: PreorderReal) {
    const receipt = model.receipts[this.pick % model.receipts.length]!;
    const result = await outcome(real.stockroom.incoming.cancel(receipt.id));
    if (receipt.status === 'CANCELLED') expect(result).toBe('ok');
    else if (!isOpen(receipt) || receipt.preordered > 0) expect(result).toBe('INVALID_STATE');
    else {
      expect(result).toBe('ok');
      receipt.status = 'CANCELLED';
    }
    await checkPreorders(model, real);
  }
  toString = () => `cancelReceipt(#${this.pick})`;
}

class SettleP implements Command {
  constructor(
    readonly pick: number,
    readonly action: 'commit' | 'release',
  ) {}
  check = (model: Readonly<PreorderModel>) => model.preorders.length > 0;
  async run(model: PreorderModel, real: PreorderReal) {
    const preorder = model.preorders[this.pick % model.preorders.length]!;
    const result = await outcome(real.stockroom.reservations[this.action](preorder.id));
    const waiting = preorder.lines.some((line) => line.preordered > 0);
    if (this.action === 'commit') {
      if (preorder.status === 'COMMITTED') expect(result).toBe('ok');
      else if (preorder.status !== 'ACTIVE' || waiting) expect(result).toBe('INVALID_STATE');
      else {
        expect(result).toBe('ok');
        preorder.status = 'COMMITTED';
        for (const line of preorder.lines) rowOf(model, line.warehouseId).reserved -= line.quantity;
      }
    } else if (preorder.status === 'COMMITTED') expect(result).toBe('INVALID_STATE');
    else {
      expect(result).toBe('ok');
      if (preorder.status === 'ACTIVE') {
        preorder.status = 'RELEASED';
        for (const line of preorder.lines) {
          const held = line.quantity - line.preordered;
          if (held > 0) {
            const row = rowOf(model, line.warehouseId);
            row.available += held;
            row.reserved -= held;
          }
          const receipt = model.receipts.find((item) => item.id === line.receiptId);
          if (receipt) receipt.preordered -= line.preordered;
        }
      }
    }
    await checkPreorders(model, real);
  }
  toString = () => `${this.action}P(#${this.pick})`;
}

const warehouse = fc.constantFrom(...BY_PRIORITY);

const distinct = [
  fc.tuple(warehouse, fc.integer({ min: 1, max: 6 })).map(([w, q]) => new RestockP(w, q)),
  fc.boolean().map((allow) => new AllowPreorder(allow)),
  fc
    .tuple(warehouse, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 3 }))
    .map(([w, q, days]) => new CreateReceipt(w, q, days)),
  fc.integer({ min: 1, max: 10 }).map((q) => new ReserveP(q)),
  fc
    .tuple(fc.nat(), fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }))
    .map(([pick, q]) => new ReceiveReceipt(pick, q)),
  fc.nat().map((pick) => new CancelReceipt(pick)),
  fc
    .tuple(fc.nat(), fc.constantFrom('commit' as const, 'release' as const))
    .map(([pick, action]) => new SettleP(pick, action)),
];

/**
 * The preorder commands, for the main file's command list: each once, plus two more slots
 * drawing any of them, so that sequences reach receipts, preorders and their receipt often.
 */
export const preorderCommands = [...distinct, fc.oneof(...distinct), fc.oneof(...distinct)];
