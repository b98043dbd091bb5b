import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addQuantities,
  createMemoryStockStore,
  createStockroom,
  isStockroomError,
  ManualClock,
  type MemoryStockStore,
  type Movement,
  type Stockroom,
  stockKeyOf,
  ZERO_QUANTITIES,
} from '../src/index.js';
import { readAll, replayLedger, reservedMismatches, seedWarehouses } from '../src/testing/index.js';
import {
  BACKORDER_SKU,
  type BackorderModel,
  backorderCommands,
  checkBackorders,
  emptyBackorderModel,
} from './model/backorders.commands.js';
import {
  ChangeHold,
  endModelHold,
  type HoldModel,
  type HoldReal,
  type ModelLine,
  refundableOf,
  SettlePart,
} from './model/hold-changes.commands.js';
import { kitCommands, type ModelKit } from './model/kits.commands.js';
import { CheckCartInChannel, ListReservations } from './model/listing.commands.js';
import {
  checkPreorders,
  type ModelPreorder,
  type ModelReceipt,
  PREORDER_SKU,
  preorderCommands,
} from './model/preorders.commands.js';

/**
 * Model-based test: random sequences of commands run against the in-memory store and against a
 * plain reference model; after every step the stock rows, the reservation states and the
 * invariants (ledger replay, reserved = sum of holds, nothing negative) must agree, and every
 * ledger checkpoint (written by the reconciliations the sequence runs) must equal the replay of
 * its row's movements from zero up to the checkpoint's version.
 */

const SKUS = ['A', 'B'] as const;
const WAREHOUSES = ['paris', 'london', 'berlin'] as const;

interface ModelRow {
  available: number;
  reserved: number;
  damaged: number;
  inTransit: number;
}
interface ModelTransfer {
  id: string;
  sku: string;
  from: string;
  to: string;
  quantity: number;
  status: 'INITIATED' | 'IN_TRANSIT' | 'RECEIVED' | 'CANCELLED';
}
interface ModelReservation {
  id: string;
  orderId: string;
  status: 'ACTIVE' | 'COMMITTED' | 'RELEASED' | 'EXPIRED';
  lines: ModelLine[];
  expiresAt: number;
}
interface Model {
  rows: Map<string, ModelRow>;
  reservations: ModelReservation[];
  transfers: ModelTransfer[];
  now: number;
  orders: number;
  /** Safety stock per row key (rows not in it have the default, 0). */
  safety: Map<string, number>;
  /** Cart limits per SKU (SKUs not in it have none). */
  limits: Map<string, { min: number | null; max: number | null }>;
  /** The warehouses of sales channel `web`, once created. */
  channel: string[] | null;
  /** Kit definitions by SKU (see model/kits.commands.ts). */
  kits: Map<string, ModelKit>;
  /** Incoming receipts of the preorder SKU (see model/preorders.commands.ts). */
  receipts: ModelReceipt[];
  /** Reservations of the preorder SKU. */
  preorders: ModelPreorder[];
  /** Whether the preorder SKU's policy allows preorders. */
  allowPreorder: boolean;
  /** Backorders (their own SKU; see `model/backorders.commands.ts`). */
  backorders: BackorderModel;
}
interface Real {
  stockroom: Stockroom;
  store: MemoryStockStore;
  clock: ManualClock;
}

const keyOf = (sku: string, warehouseId: string) => `${sku}@${warehouseId}`;

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isStockroomError(error)) return error.code;
    throw error;
  }
}

async function check(model: Model, real: Real): Promise<void> {
  const rows = await readAll((page) => real.store.reads.allStock(page));
  const actual = Object.fromEntries(
    rows.map((row) => [
      keyOf(row.sku, row.warehouseId),
      {
        available: row.available,
        reserved: row.reserved,
        damaged: row.damaged,
        inTransit: row.inTransit,
      },
    ]),
  );
  expect(actual).toEqual(Object.fromEntries(model.rows));
  expect(
    Object.fromEntries(rows.map((row) => [keyOf(row.sku, row.warehouseId), row.safetyStock])),
  ).toEqual(
    Object.fromEntries([...model.rows.keys()].map((key) => [key, model.safety.get(key) ?? 0])),
  );
  for (const reservation of model.reservations) {
    expect((await real.stockroom.reservations.get(reservation.id))?.status).toBe(
      reservation.status,
    );
  }
  expect(await replayLedger(real.store)).toEqual([]);
  expect(await reservedMismatches(real.store)).toEqual([]);
  await checkPreorders(model, real);
  await checkBackorders(model, real);
  const ledger = await readAll<Movement>((page) => real.store.reads.ledger({}, page));
  for (const checkpoint of await real.store.reads.latestCheckpoints([
    ...SKUS,
    PREORDER_SKU,
    BACKORDER_SKU,
  ])) {
    const replayed = ledger
      .filter(
        (movement) =>
          stockKeyOf(movement) === stockKeyOf(checkpoint) && movement.version <= checkpoint.version,
      )
      .reduce((sum, movement) => addQuantities(sum, movement.deltas), ZERO_QUANTITIES);
    expect({
      available: checkpoint.available,
      reserved: checkpoint.reserved,
      damaged: checkpoint.damaged,
      inTransit: checkpoint.inTransit,
      backordered: checkpoint.backordered,
    }).toEqual(replayed);
  }
}

type Command = fc.AsyncCommand<Model, Real>;

function emptyRow(): ModelRow {
  return { available: 0, reserved: 0, damaged: 0, inTransit: 0 };
}

function rowOf(model: Model, sku: string, warehouseId: string): ModelRow | undefined {
  return model.rows.get(keyOf(sku, warehouseId));
}

class Restock implements Command {
  constructor(
    readonly sku: string,
    readonly warehouseId: string,
    readonly quantity: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.stockroom.adjustments.adjust({
      sku: this.sku,
      warehouseId: this.warehouseId,
      type: 'RESTOCK',
      quantity: this.quantity,
    });
    const row = rowOf(model, this.sku, this.warehouseId) ?? emptyRow();
    model.rows.set(keyOf(this.sku, this.warehouseId), {
      ...row,
      available: row.available + this.quantity,
    });
    await check(model, real);
  }
  toString = () => `restock(${this.sku}@${this.warehouseId}, ${this.quantity})`;
}

class Damage implements Command {
  constructor(
    readonly sku: string,
    readonly warehouseId: string,
    readonly quantity: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const result = await outcome(
      real.stockroom.adjustments.adjust({
        sku: this.sku,
        warehouseId: this.warehouseId,
        type: 'DAMAGE',
        quantity: this.quantity,
      }),
    );
    const row = rowOf(model, this.sku, this.warehouseId);
    if (!row) expect(result).toBe('NOT_FOUND');
    else if (row.available < this.quantity) expect(result).toBe('INSUFFICIENT_STOCK');
    else {
      expect(result).toBe('ok');
      row.available -= this.quantity;
      row.damaged += this.quantity;
    }
    await check(model, real);
  }
  toString = () => `damage(${this.sku}@${this.warehouseId}, ${this.quantity})`;
}

/**
 * Damaged units written off (damaged → gone) or restored (damaged → available). Damaged units
 * are rare in random sequences, so the command first damages `damage` units of a row that has
 * some available (picked from the model), then takes `quantity` damaged units of it (refused
 * when the row holds fewer); on an empty model it runs on the given row (refused: no row).
 */
class DamagedUnits implements Command {
  constructor(
    readonly type: 'WRITE_OFF' | 'RESTORE',
    readonly pick: number,
    readonly fallback: { readonly sku: string; readonly warehouseId: string },
    readonly damage: number,
    readonly quantity: number,
  ) {}
  check = () => true;
  private target = '';
  async run(model: Model, real: Real) {
    const candidates = [...model.rows]
      .filter(([, row]) => row.available > 0 || row.damaged > 0)
      .map(([key]) => key)
      .sort();
    const key =
      candidates.length > 0
        ? candidates[this.pick % candidates.length]!
        : keyOf(this.fallback.sku, this.fallback.warehouseId);
    this.target = key;
    const [sku, warehouseId] = key.split('@') as [string, string];
    const row = rowOf(model, sku, warehouseId);
    const damage = Math.min(this.damage, row?.available ?? 0);
    if (row && damage > 0) {
      await real.stockroom.adjustments.adjust({
        sku,
        warehouseId,
        type: 'DAMAGE',
        quantity: damage,
      });
      row.available -= damage;
      row.damaged += damage;
    }
    const result = await outcome(
      real.stockroom.adjustments.adjust(
        { sku, warehouseId, type: this.type, quantity: this.quantity },
        { reason: 'model' },
      ),
    );
    if (!row) expect(result).toBe('NOT_FOUND');
    else if (row.damaged < this.quantity) expect(result).toBe('INSUFFICIENT_STOCK');
    else {
      expect(result).toBe('ok');
      row.damaged -= this.quantity;
      if (this.type === 'RESTORE') row.available += this.quantity;
    }
    await check(model, real);
  }
  toString = () =>
    `${this.type}(${this.target || `#${this.pick}`}, damage ${this.damage}, take ${this.quantity})`;
}

/**
 * A whole-cart check: answers what a reservation of the cart would get now (all warehouses are
 * ACTIVE, so a SKU's unpinned items fit when the SKU's available left by its pinned items covers
 * them) and changes nothing.
 */
class CheckCart implements Command {
  constructor(readonly items: Array<{ sku: string; warehouseId?: string; quantity: number }>) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const answer = await real.stockroom.carts.check({ items: this.items });
    const pinned = new Map<string, number>();
    const unpinned = new Map<string, number>();
    for (const item of this.items) {
      if (item.warehouseId === undefined)
        unpinned.set(item.sku, (unpinned.get(item.sku) ?? 0) + item.quantity);
      else {
        const key = keyOf(item.sku, item.warehouseId);
        pinned.set(key, (pinned.get(key) ?? 0) + item.quantity);
      }
    }
    // Safety stock is never offered: a check sees each row's sellable units.
    const sellable = (key: string) =>
      Math.max(0, (model.rows.get(key)?.available ?? 0) - (model.safety.get(key) ?? 0));
    let fits = [...pinned].every(([key, quantity]) => sellable(key) >= quantity);
    for (const [sku, quantity] of unpinned) {
      let left = 0;
      for (const warehouseId of WAREHOUSES) {
        const key = keyOf(sku, warehouseId);
        left += Math.max(0, sellable(key) - (pinned.get(key) ?? 0));
      }
      if (left < quantity) fits = false;
    }
    expect(answer.isAvailable).toBe(fits);
    const allocated = answer.allocations.reduce((sum, line) => sum + line.quantity, 0);
    const requested = this.items.reduce((sum, item) => sum + item.quantity, 0);
    expect(allocated).toBe(fits ? requested : 0);
    await check(model, real);
  }
  toString = () => `checkCart(${JSON.stringify(this.items)})`;
}

class Correct implements Command {
  constructor(
    readonly sku: string,
    readonly warehouseId: string,
    readonly quantity: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const result = await outcome(
      real.stockroom.adjustments.adjust({
        sku: this.sku,
        warehouseId: this.warehouseId,
        type: 'ADJUSTMENT',
        quantity: this.quantity,
      }),
    );
    const row = rowOf(model, this.sku, this.warehouseId) ?? emptyRow();
    if (row.available + this.quantity < 0) expect(result).toBe('INSUFFICIENT_STOCK');
    else {
      expect(result).toBe('ok');
      model.rows.set(keyOf(this.sku, this.warehouseId), {
        ...row,
        available: row.available + this.quantity,
      });
    }
    await check(model, real);
  }
  toString = () => `correct(${this.sku}@${this.warehouseId}, ${this.quantity})`;
}

class Reserve implements Command {
  constructor(
    readonly items: Array<{ sku: string; warehouseId: string; quantity: number }>,
    readonly ttlSeconds: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    model.orders += 1;
    const orderId = `o${model.orders}`;
    let reservationId = '';
    const result = await outcome(
      real.stockroom.reservations
        .reserve({ items: this.items, orderId, ttlSeconds: this.ttlSeconds })
        .then((reservation) => {
          reservationId = reservation.id;
        }),
    );
    const wanted = new Map<string, number>();
    for (const item of this.items) {
      const key = keyOf(item.sku, item.warehouseId);
      wanted.set(key, (wanted.get(key) ?? 0) + item.quantity);
    }
    // Safety stock is never reserved: a pinned item fits in available − safety.
    const fits = [...wanted].every(
      ([key, quantity]) =>
        (model.rows.get(key)?.available ?? 0) - (model.safety.get(key) ?? 0) >= quantity,
    );
    const perSku = new Map<string, number>();
    for (const item of this.items)
      perSku.set(item.sku, (perSku.get(item.sku) ?? 0) + item.quantity);
    // Cart limits are checked before stock.
    const overLimit = [...perSku].some(([sku, units]) => {
      const limits = model.limits.get(sku);
      return (
        limits !== undefined &&
        ((limits.min !== null && units < limits.min) || (limits.max !== null && units > limits.max))
      );
    });
    if (overLimit) expect(result).toBe('CART_LIMIT_EXCEEDED');
    else if (!fits) expect(result).toBe('INSUFFICIENT_STOCK');
    else {
      expect(result).toBe('ok');
      const lines = [];
      for (const [key, quantity] of [...wanted].sort(([left], [right]) =>
        left < right ? -1 : 1,
      )) {
        const row = model.rows.get(key)!;
        row.available -= quantity;
        row.reserved += quantity;
        const [sku, warehouseId] = key.split('@') as [string, string];
        lines.push({
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
        });
      }
      model.reservations.push({
        id: reservationId,
        orderId,
        status: 'ACTIVE',
        lines,
        expiresAt: model.now + this.ttlSeconds * 1000,
      });
    }
    await check(model, real);
  }
  toString = () => `reserve(${JSON.stringify(this.items)}, ttl ${this.ttlSeconds})`;
}

class SetSafety implements Command {
  constructor(
    readonly sku: string,
    readonly warehouseId: string,
    readonly safetyStock: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.stockroom.adjustments.updateSettings({
      sku: this.sku,
      warehouseId: this.warehouseId,
      safetyStock: this.safetyStock,
    });
    const key = keyOf(this.sku, this.warehouseId);
    // Settings on a missing row create it empty (no movement).
    if (!model.rows.has(key)) model.rows.set(key, emptyRow());
    model.safety.set(key, this.safetyStock);
    await check(model, real);
  }
  toString = () => `safety(${this.sku}@${this.warehouseId}, ${this.safetyStock})`;
}

class SetCartLimits implements Command {
  constructor(
    readonly sku: string,
    readonly limits: { min: number | null; max: number | null } | null,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    if (this.limits === null) {
      await real.stockroom.skuPolicies.remove(this.sku);
      model.limits.delete(this.sku);
    } else {
      const result = await outcome(
        real.stockroom.skuPolicies.set({
          sku: this.sku,
          minPerCart: this.limits.min,
          maxPerCart: this.limits.max,
        }),
      );
      const { min, max } = this.limits;
      if (min !== null && max !== null && min > max) expect(result).toBe('VALIDATION_FAILED');
      else {
        expect(result).toBe('ok');
        model.limits.set(this.sku, this.limits);
      }
    }
    await check(model, real);
  }
  toString = () => `cartLimits(${this.sku}, ${JSON.stringify(this.limits)})`;
}

/** Creates or changes sales channel `web`. */
class SetChannel implements Command {
  constructor(readonly warehouseIds: string[]) {}
  check = () => true;
  async run(model: Model, real: Real) {
    if (model.channel === null)
      await real.stockroom.channels.create({
        id: 'web',
        name: 'Web',
        warehouseIds: this.warehouseIds,
      });
    else await real.stockroom.channels.update('web', { warehouseIds: this.warehouseIds });
    model.channel = [...this.warehouseIds].sort();
    await check(model, real);
  }
  toString = () => `channel(web: ${this.warehouseIds.join(',')})`;
}

/** The seeded warehouses in the `priority` strategy's order (priority 1, 2, 3). */
const PRIORITY_ORDER = ['london', 'paris', 'berlin'];

/** Reserves unpinned items through channel `web`: its warehouses only, by priority. */
class ReserveInChannel implements Command {
  constructor(readonly items: Array<{ sku: string; quantity: number }>) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const channel = model.channel;
    const order = PRIORITY_ORDER.filter((id) => channel?.includes(id));
    // Safety stock is never offered: each row gives what is sellable.
    const sellable = (sku: string, id: string) =>
      Math.max(
        0,
        (rowOf(model, sku, id)?.available ?? 0) - (model.safety.get(keyOf(sku, id)) ?? 0),
      );
    const inChannel = (sku: string) => order.reduce((sum, id) => sum + sellable(sku, id), 0);
    const wanted = new Map<string, number>();
    for (const item of this.items)
      wanted.set(item.sku, (wanted.get(item.sku) ?? 0) + item.quantity);
    // The channel's view through a check agrees with the model before anything is held.
    for (const sku of channel === null ? [] : wanted.keys()) {
      const answer = await real.stockroom.availability.check({
        sku,
        quantity: 1,
        channelId: 'web',
      });
      expect(answer.availableQuantity).toBe(inChannel(sku));
    }
    model.orders += 1;
    const orderId = `o${model.orders}`;
    let reservationId = '';
    const result = await outcome(
      real.stockroom.reservations
        .reserve({ items: this.items, orderId, channelId: 'web', ttlSeconds: 60 })
        .then((reservation) => {
          reservationId = reservation.id;
        }),
    );
    if (channel === null) {
      expect(result).toBe('NOT_FOUND');
      return;
    }
    const overLimit = [...wanted].some(([sku, units]) => {
      const limits = model.limits.get(sku);
      return (
        limits !== undefined &&
        ((limits.min !== null && units < limits.min) || (limits.max !== null && units > limits.max))
      );
    });
    if (overLimit) {
      expect(result).toBe('CART_LIMIT_EXCEEDED');
      await check(model, real);
      return;
    }
    const fits = [...wanted].every(([sku, quantity]) => inChannel(sku) >= quantity);
    if (!fits) {
      expect(result).toBe('INSUFFICIENT_STOCK');
      await check(model, real);
      return;
    }
    expect(result).toBe('ok');
    const lines = [];
    for (const [sku, quantity] of wanted) {
      let left = quantity;
      for (const id of order) {
        const row = rowOf(model, sku, id);
        const offered = sellable(sku, id);
        if (!row || offered <= 0 || left === 0) continue;
        const taken = Math.min(left, offered);
        row.available -= taken;
        row.reserved += taken;
        left -= taken;
        lines.push({
          sku,
          warehouseId: id,
          quantity: taken,
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
    lines.sort((left, right) =>
      left.sku === right.sku
        ? left.warehouseId < right.warehouseId
          ? -1
          : 1
        : left.sku < right.sku
          ? -1
          : 1,
    );
    const reservation = await real.stockroom.reservations.get(reservationId);
    expect(
      reservation?.lines.map(({ sku, warehouseId, quantity }) => ({ sku, warehouseId, quantity })),
    ).toEqual(lines.map(({ sku, warehouseId, quantity }) => ({ sku, warehouseId, quantity })));
    model.reservations.push({
      id: reservationId,
      orderId,
      status: 'ACTIVE',
      lines,
      expiresAt: model.now + 60_000,
    });
    await check(model, real);
  }
  toString = () => `reserveInChannel(${JSON.stringify(this.items)})`;
}

class Commit implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.reservations.length > 0;
  async run(model: Model, real: Real) {
    const reservation = model.reservations[this.pick % model.reservations.length]!;
    const result = await outcome(real.stockroom.reservations.commit(reservation.id));
    if (reservation.status === 'COMMITTED') expect(result).toBe('ok');
    else if (reservation.status !== 'ACTIVE' || model.now >= reservation.expiresAt)
      expect(result).toBe('INVALID_STATE');
    else {
      expect(result).toBe('ok');
      endModelHold(model, reservation, 'COMMITTED');
    }
    await check(model, real);
  }
  toString = () => `commit(#${this.pick})`;
}

class Release implements Command {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.reservations.length > 0;
  async run(model: Model, real: Real) {
    const reservation = model.reservations[this.pick % model.reservations.length]!;
    const result = await outcome(real.stockroom.reservations.release(reservation.id));
    if (reservation.status === 'COMMITTED') expect(result).toBe('INVALID_STATE');
    else {
      expect(result).toBe('ok');
      if (reservation.status === 'ACTIVE') endModelHold(model, reservation, 'RELEASED');
    }
    await check(model, real);
  }
  toString = () => `release(#${this.pick})`;
}

class AdvanceAndExpire implements Command {
  constructor(readonly seconds: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    model.now += this.seconds * 1000;
    real.clock.advance(this.seconds * 1000);
    const expired = await real.stockroom.reservations.expireDue({ limit: 1000 });
    let expected = 0;
    for (const reservation of model.reservations) {
      if (reservation.status !== 'ACTIVE' || reservation.expiresAt > model.now) continue;
      expected += 1;
      endModelHold(model, reservation, 'EXPIRED');
    }
    expect(expired).toBe(expected);
    await check(model, real);
  }
  toString = () => `advance(${this.seconds}s) + expire`;
}

class CancelOrder implements Command {
  constructor(
    readonly pick: number,
    readonly partial: boolean,
  ) {}
  check = (model: Readonly<Model>) => model.reservations.length > 0;
  async run(model: Model, real: Real) {
    const reservation = model.reservations[this.pick % model.reservations.length]!;
    const first = reservation.lines[0]!;
    const partial = this.partial && reservation.status === 'COMMITTED' && refundableOf(first) >= 1;
    const items = partial
      ? [{ sku: first.sku, warehouseId: first.warehouseId, quantity: 1 }]
      : undefined;
    const result = await outcome(real.stockroom.orders.cancel(reservation.orderId, items));
    expect(result).toBe('ok');
    // A partly committed hold ends COMMITTED when released: its sold units are refunded too.
    if (reservation.status === 'ACTIVE') endModelHold(model, reservation, 'RELEASED');
    if (reservation.status === 'COMMITTED') {
      for (const line of partial ? [first] : reservation.lines) {
        const quantity = partial ? 1 : refundableOf(line);
        model.rows.get(keyOf(line.sku, line.warehouseId))!.available += quantity;
        line.refunded += quantity;
      }
    }
    await check(model, real);
  }
  toString = () => `cancel(#${this.pick}${this.partial ? ', partial' : ''})`;
}

class CreateTransfer implements Command {
  constructor(
    readonly sku: string,
    readonly from: string,
    readonly to: string,
    readonly quantity: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    let id = '';
    const result = await outcome(
      real.stockroom.transfers
        .create({
          sku: this.sku,
          fromWarehouseId: this.from,
          toWarehouseId: this.to,
          quantity: this.quantity,
        })
        .then((transfer) => {
          id = transfer.id;
        }),
    );
    if ((rowOf(model, this.sku, this.from)?.available ?? 0) < this.quantity)
      expect(result).toBe('INSUFFICIENT_STOCK');
    else {
      expect(result).toBe('ok');
      model.transfers.push({
        id,
        sku: this.sku,
        from: this.from,
        to: this.to,
        quantity: this.quantity,
        status: 'INITIATED',
      });
    }
    await check(model, real);
  }
  toString = () => `transfer(${this.sku} ${this.from}→${this.to}, ${this.quantity})`;
}

class StepTransfer implements Command {
  constructor(
    readonly pick: number,
    readonly step: 'ship' | 'receive' | 'cancel',
  ) {}
  check = (model: Readonly<Model>) => model.transfers.length > 0;
  async run(model: Model, real: Real) {
    const transfer = model.transfers[this.pick % model.transfers.length]!;
    const result = await outcome(real.stockroom.transfers[this.step](transfer.id));
    const done = { ship: 'IN_TRANSIT', receive: 'RECEIVED', cancel: 'CANCELLED' }[this.step];
    const from = { ship: 'INITIATED', receive: 'IN_TRANSIT', cancel: 'INITIATED' }[this.step];
    if (transfer.status === done) expect(result).toBe('ok');
    else if (transfer.status !== from) expect(result).toBe('INVALID_STATE');
    else if (this.step === 'ship') {
      const source = rowOf(model, transfer.sku, transfer.from);
      if ((source?.available ?? 0) < transfer.quantity) expect(result).toBe('INSUFFICIENT_STOCK');
      else {
        expect(result).toBe('ok');
        source!.available -= transfer.quantity;
        const key = keyOf(transfer.sku, transfer.to);
        const destination = model.rows.get(key) ?? emptyRow();
        model.rows.set(key, {
          ...destination,
          inTransit: destination.inTransit + transfer.quantity,
        });
        transfer.status = 'IN_TRANSIT';
      }
    } else if (this.step === 'receive') {
      expect(result).toBe('ok');
      const destination = rowOf(model, transfer.sku, transfer.to)!;
      destination.inTransit -= transfer.quantity;
      destination.available += transfer.quantity;
      transfer.status = 'RECEIVED';
    } else {
      expect(result).toBe('ok');
      transfer.status = 'CANCELLED';
    }
    await check(model, real);
  }
  toString = () => `${this.step}(transfer #${this.pick})`;
}

class BulkUpdate implements Command {
  constructor(
    readonly mode: 'set' | 'delta',
    readonly atomic: boolean,
    readonly items: Array<{
      sku: string;
      warehouseId: string;
      quantity: number;
      expectedQuantity?: number;
    }>,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const result = await real.stockroom.adjustments.bulkUpdate({
      mode: this.mode,
      atomic: this.atomic,
      items: this.items,
    });
    const next = new Map([...model.rows].map(([key, row]) => [key, { ...row }]));
    const failed: Array<{ index: number; code: string }> = [];
    this.items.forEach((item, index) => {
      const key = keyOf(item.sku, item.warehouseId);
      const row = next.get(key);
      const target = this.mode === 'set' ? item.quantity : (row?.available ?? 0) + item.quantity;
      if (item.expectedQuantity !== undefined && item.expectedQuantity !== (row?.available ?? 0))
        failed.push({ index, code: 'VERSION_CONFLICT' });
      else if (target < 0) failed.push({ index, code: 'INSUFFICIENT_STOCK' });
      else if (row) row.available = target;
      else next.set(key, { ...emptyRow(), available: target });
    });
    expect(result.failed.map(({ index, code }) => ({ index, code }))).toEqual(failed);
    if (!this.atomic || failed.length === 0) model.rows = next;
    else expect(result.applied).toBe(0);
    await check(model, real);
  }
  toString = () =>
    `bulk(${this.mode}${this.atomic ? ', atomic' : ''}, ${JSON.stringify(this.items)})`;
}

/**
 * An incremental reconciliation (from the last checkpoints) and a full one (from zero) agree:
 * nothing to report, every row checked, and afterwards every row's latest checkpoint is the row.
 */
class Reconcile implements Command {
  check = () => true;
  async run(model: Model, real: Real) {
    // Checkpoints record when they were verified; time moves for the model too.
    real.clock.advance(1000);
    model.now += 1000;
    const incremental = await real.stockroom.reconciliation.reconcile();
    const full = await real.stockroom.reconciliation.reconcile({ full: true });
    // Backordered buckets and receipts too: the run agrees with the extended invariants.
    expect(incremental).toMatchObject({
      checked: model.rows.size,
      discrepancies: [],
      receiptDiscrepancies: [],
    });
    expect(full).toMatchObject({
      checked: model.rows.size,
      discrepancies: [],
      receiptDiscrepancies: [],
      checkpointMismatches: [],
      checkpointed: 0,
    });
    const rows = await readAll((page) => real.store.reads.allStock(page));
    const checkpoints = new Map(
      (await real.store.reads.latestCheckpoints([...SKUS, PREORDER_SKU, BACKORDER_SKU])).map(
        (item) => [stockKeyOf(item), item],
      ),
    );
    for (const row of rows) {
      if (row.version === 0) continue;
      expect(checkpoints.get(stockKeyOf(row))).toMatchObject({
        available: row.available,
        reserved: row.reserved,
        damaged: row.damaged,
        inTransit: row.inTransit,
        version: row.version,
      });
      const asOf = await real.stockroom.availability.stockAsOf(row.sku, real.clock.now());
      expect(asOf.warehouses.find((item) => item.warehouseId === row.warehouseId)).toMatchObject({
        available: row.available,
        reserved: row.reserved,
        version: row.version,
      });
    }
    await check(model, real);
  }
  toString = () => 'reconcile()';
}

const holdCheck = (model: HoldModel, real: HoldReal) => check(model as Model, real as Real);
const sku = fc.constantFrom(...SKUS);
const warehouse = fc.constantFrom(...WAREHOUSES);
const quantity = fc.integer({ min: 1, max: 8 });
const reservationStatus = fc.constantFrom(
  'ACTIVE' as const,
  'COMMITTED' as const,
  'RELEASED' as const,
  'EXPIRED' as const,
);

const reserveCommand = fc
  .tuple(
    fc.array(fc.record({ sku, warehouseId: warehouse, quantity }), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.integer({ min: 1, max: 120 }),
  )
  .map(([items, ttl]) => new Reserve(items, ttl));
const changeCommand = fc
  .tuple(
    fc.nat(),
    fc.array(fc.record({ sku, warehouseId: warehouse, quantity }), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([pick, items]) => new ChangeHold(pick, items, holdCheck));
const partCommand = fc
  .tuple(
    fc.constantFrom('commit' as const, 'release' as const),
    fc.nat(),
    fc.nat(),
    fc.record({ sku, warehouseId: warehouse, quantity: fc.integer({ min: 1, max: 4 }) }),
  )
  .map(([kind, pick, line, part]) => new SettlePart(kind, pick, line, part, holdCheck));
const commands = [
  ...preorderCommands,
  fc.constant(new Reconcile()),
  fc
    .tuple(sku, warehouse, fc.integer({ min: 1, max: 20 }))
    .map(([s, w, q]) => new Restock(s, w, q)),
  fc.tuple(sku, warehouse, quantity).map(([s, w, q]) => new Damage(s, w, q)),
  fc
    .tuple(
      fc.constantFrom('WRITE_OFF' as const, 'RESTORE' as const),
      fc.nat(),
      fc.record({ sku, warehouseId: warehouse }),
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([type, pick, row, damage, q]) => new DamagedUnits(type, pick, row, damage, q)),
  fc
    .array(
      fc.record(
        { sku, warehouseId: warehouse, quantity: fc.integer({ min: 1, max: 12 }) },
        { requiredKeys: ['sku', 'quantity'] },
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((items) => new CheckCart(items)),
  fc
    .tuple(
      sku,
      warehouse,
      fc.integer({ min: -8, max: 8 }).filter((q) => q !== 0),
    )
    .map(([s, w, q]) => new Correct(s, w, q)),
  reserveCommand,
  fc.uniqueArray(warehouse, { minLength: 0, maxLength: 3 }).map((ids) => new SetChannel(ids)),
  fc
    .array(fc.record({ sku, quantity }), { minLength: 1, maxLength: 3 })
    .map((items) => new ReserveInChannel(items)),
  fc.nat().map((pick) => new Commit(pick)),
  fc
    .tuple(
      // Mostly one or two filters, so most listings match something.
      fc.oneof(
        fc.constant({}),
        fc.record({ sku }),
        fc.record({ warehouseId: warehouse }),
        fc.record({ sku, warehouseId: warehouse }),
        fc.record({ status: reservationStatus }),
        fc.record({ sku, status: reservationStatus }),
        fc.record({ order: fc.nat() }),
        fc.record({ expiresFrom: fc.integer({ min: -60, max: 120 }) }),
        fc.record({
          warehouseId: warehouse,
          expiresFrom: fc.integer({ min: -60, max: 120 }),
          expiresTo: fc.integer({ min: -60, max: 120 }),
        }),
      ),
      fc.integer({ min: 1, max: 4 }),
    )
    .map(([filter, limit]) => new ListReservations(filter, limit)),
  fc
    .array(fc.record({ sku, quantity }), { minLength: 1, maxLength: 3 })
    .map((items) => new CheckCartInChannel(items)),
  fc
    .tuple(sku, warehouse, fc.integer({ min: 0, max: 6 }))
    .map(([s, w, safety]) => new SetSafety(s, w, safety)),
  fc
    .tuple(
      sku,
      fc.option(
        fc.record({
          min: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
          max: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
        }),
        { nil: null },
      ),
    )
    .map(([s, limits]) => new SetCartLimits(s, limits)),
  fc.nat().map((pick) => new Release(pick)),
  changeCommand,
  partCommand,
  fc.integer({ min: 1, max: 90 }).map((seconds) => new AdvanceAndExpire(seconds)),
  fc.tuple(fc.nat(), fc.boolean()).map(([pick, partial]) => new CancelOrder(pick, partial)),
  fc
    .tuple(sku, fc.uniqueArray(warehouse, { minLength: 2, maxLength: 2 }), quantity)
    .map(([s, [from, to], q]) => new CreateTransfer(s, from!, to!, q)),
  fc
    .tuple(fc.nat(), fc.constantFrom('ship' as const, 'receive' as const, 'cancel' as const))
    .map(([pick, step]) => new StepTransfer(pick, step)),
  fc
    .tuple(
      fc.constantFrom('set' as const, 'delta' as const),
      fc.boolean(),
      fc.uniqueArray(fc.record({ sku, warehouseId: warehouse }), {
        minLength: 1,
        maxLength: 4,
        selector: (item) => keyOf(item.sku, item.warehouseId),
      }),
      fc.array(fc.integer({ min: -10, max: 15 }), { minLength: 4, maxLength: 4 }),
      // A compare per item, or none (small numbers, so some match the row).
      fc.array(fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }), {
        minLength: 4,
        maxLength: 4,
      }),
    )
    .map(
      ([mode, atomic, rows, quantities, compares]) =>
        new BulkUpdate(
          mode,
          atomic,
          rows.map((row, index) => {
            const value = quantities[index]!;
            const expectedQuantity = compares[index];
            return {
              ...row,
              quantity: mode === 'set' ? Math.abs(value) : value === 0 ? 1 : value,
              ...(expectedQuantity === undefined ? {} : { expectedQuantity }),
            };
          }),
        ),
    ),
  ...kitCommands<Model, Real>({ skus: SKUS, warehouses: WAREHOUSES, check, outcome }),
  ...backorderCommands,
];

/** A fresh memory stockroom with the three warehouses, and its empty model. */
async function start(): Promise<{ model: Model; real: Real }> {
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');
  const store = createMemoryStockStore();
  const stockroom = createStockroom({ store, clock });
  await seedWarehouses(stockroom);
  await stockroom.skuPolicies.set({ sku: PREORDER_SKU, allowPreorder: true });
  const model: Model = {
    rows: new Map(),
    reservations: [],
    transfers: [],
    now: clock.now().getTime(),
    orders: 0,
    safety: new Map(),
    limits: new Map(),
    channel: null,
    kits: new Map(),
    receipts: [],
    preorders: [],
    allowPreorder: true,
    backorders: emptyBackorderModel(),
  };
  return { model, real: { stockroom, store, clock } };
}

describe('model-based: the memory store against a reference model', () => {
  it('agrees with the model and keeps every invariant after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: '+1' }), async (sequence) => {
        const setup = await start();
        // Every row starts stocked, so reservations (and what follows them) happen in most runs.
        for (const sku of SKUS) {
          for (const warehouseId of WAREHOUSES) {
            await setup.real.stockroom.adjustments.adjust({
              sku,
              warehouseId,
              type: 'RESTOCK',
              quantity: 8,
            });
            setup.model.rows.set(keyOf(sku, warehouseId), { ...emptyRow(), available: 8 });
          }
        }
        await fc.asyncModelRun(() => setup, sequence);
      }),
      { numRuns: 500 },
    );
  }, 120_000);

  // Holds being edited and settled in parts need stock and holds first: every row starts with
  // stock and two holds exist, so most steps change something.
  it('changes holds and settles parts of them; every invariant holds after each step', async () => {
    const holdCommands = [
      fc.tuple(sku, warehouse, quantity).map(([s, w, q]) => new Restock(s, w, q)),
      reserveCommand,
      changeCommand,
      changeCommand,
      partCommand,
      partCommand,
      fc.nat().map((pick) => new Commit(pick)),
      fc.nat().map((pick) => new Release(pick)),
      fc.integer({ min: 1, max: 90 }).map((seconds) => new AdvanceAndExpire(seconds)),
      fc.tuple(fc.nat(), fc.boolean()).map(([pick, partial]) => new CancelOrder(pick, partial)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(holdCommands, { maxCommands: 30 }), async (sequence) => {
        const setup = await start();
        for (const s of SKUS)
          for (const w of WAREHOUSES) await new Restock(s, w, 12).run(setup.model, setup.real);
        await new Reserve([{ sku: 'A', warehouseId: 'paris', quantity: 3 }], 120).run(
          setup.model,
          setup.real,
        );
        await new Reserve(
          [
            { sku: 'A', warehouseId: 'london', quantity: 2 },
            { sku: 'B', warehouseId: 'paris', quantity: 4 },
          ],
          120,
        ).run(setup.model, setup.real);
        await fc.asyncModelRun(() => setup, sequence);
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
