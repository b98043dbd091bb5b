import fc from 'fast-check';
import { expect } from 'vitest';
import type { KitShipping, MemoryStockStore, Stockroom } from '../../src/index.js';

// Kit commands of the model-based test (model.property.test.ts): define a kit over the model's
// SKUs, reserve it (pinned to a warehouse, so the model knows the lines) together with a plain
// item of a component, check its availability, and try to stock it. Commit, release, expiry and
// refunds of the reservations made here are the main file's commands: the lines recorded here
// are the component lines, in the order a reservation lists them.

/** A kit as the model knows it. */
export interface ModelKit {
  readonly components: ReadonlyArray<{ readonly sku: string; readonly quantity: number }>;
  readonly shipping: KitShipping;
  readonly version: number;
}

interface Row {
  available: number;
  reserved: number;
  damaged: number;
  inTransit: number;
}

interface Line {
  sku: string;
  warehouseId: string;
  quantity: number;
  refunded: number;
}

/** The part of the main model the kit commands read and change. */
export interface KitModel {
  rows: Map<string, Row>;
  reservations: Array<{
    id: string;
    orderId: string;
    status: 'ACTIVE' | 'COMMITTED' | 'RELEASED' | 'EXPIRED';
    lines: Line[];
    expiresAt: number;
  }>;
  now: number;
  orders: number;
  safety: Map<string, number>;
  limits: Map<string, { min: number | null; max: number | null }>;
  /** Kits by SKU. */
  kits: Map<string, ModelKit>;
}

/** What the commands run against. */
export interface KitReal {
  stockroom: Stockroom;
  store: MemoryStockStore;
}

/** The main file's helpers the commands use. */
export interface KitCommandHelpers<M extends KitModel, R extends KitReal> {
  readonly skus: readonly string[];
  readonly warehouses: readonly string[];
  /** Checks the model against the real store and every invariant. */
  check(model: M, real: R): Promise<void>;
  /** 'ok' or the error code. */
  outcome(promise: Promise<unknown>): Promise<string>;
}

/** The kit SKU the commands use (never stocked). */
export const KIT_SKU = 'KIT';

const keyOf = (sku: string, warehouseId: string) => `${sku}@${warehouseId}`;

function sellable(model: KitModel, sku: string, warehouseId: string): number {
  const key = keyOf(sku, warehouseId);
  return Math.max(0, (model.rows.get(key)?.available ?? 0) - (model.safety.get(key) ?? 0));
}

/** The kit commands, over the main model's types. */
export function kitCommands<M extends KitModel, R extends KitReal>(
  helpers: KitCommandHelpers<M, R>,
): fc.Arbitrary<fc.AsyncCommand<M, R>>[] {
  const { check, outcome } = helpers;

  class DefineKit implements fc.AsyncCommand<M, R> {
    constructor(
      readonly components: ReadonlyArray<{ sku: string; quantity: number }>,
      readonly shipping: KitShipping,
    ) {}
    check = () => true;
    async run(model: M, real: R) {
      const kit = await real.stockroom.kits.define({
        sku: KIT_SKU,
        components: this.components,
        shipping: this.shipping,
      });
      const version = (model.kits.get(KIT_SKU)?.version ?? 0) + 1;
      expect(kit.version).toBe(version);
      model.kits.set(KIT_SKU, { components: this.components, shipping: this.shipping, version });
      await check(model, real);
    }
    toString = () => `defineKit(${JSON.stringify(this.components)}, ${this.shipping})`;
  }

  /**
   * A kit item pinned to a warehouse, and optionally a plain pinned item of a component. Kits
   * and stock are rare in random sequences, so the command first defines the kit when there is
   * none (with `define`, unless it is null: then the kit SKU is unknown) and restocks each
   * component by `restock` units in the warehouse.
   */
  class ReserveKit implements fc.AsyncCommand<M, R> {
    constructor(
      readonly define: DefineKit | null,
      readonly restock: number,
      readonly warehouseId: string,
      readonly quantity: number,
      readonly plain: { readonly pick: number; readonly quantity: number } | null,
      readonly ttlSeconds: number,
    ) {}
    check = () => true;
    async run(model: M, real: R) {
      if (!model.kits.has(KIT_SKU) && this.define) await this.define.run(model, real);
      const kit = model.kits.get(KIT_SKU);
      if (kit && this.restock > 0) {
        for (const component of kit.components) {
          await real.stockroom.adjustments.adjust({
            sku: component.sku,
            warehouseId: this.warehouseId,
            type: 'RESTOCK',
            quantity: this.restock,
          });
          const key = keyOf(component.sku, this.warehouseId);
          const row = model.rows.get(key) ?? {
            available: 0,
            reserved: 0,
            damaged: 0,
            inTransit: 0,
          };
          row.available += this.restock;
          model.rows.set(key, row);
        }
      }
      const plain =
        kit && this.plain
          ? {
              sku: kit.components[this.plain.pick % kit.components.length]!.sku,
              warehouseId: this.warehouseId,
              quantity: this.plain.quantity,
            }
          : null;
      const items = [
        { sku: KIT_SKU, warehouseId: this.warehouseId, quantity: this.quantity },
        ...(plain ? [plain] : []),
      ];
      model.orders += 1;
      const orderId = `o${model.orders}`;
      let reservationId = '';
      let lines: Line[] = [];
      const result = await outcome(
        real.stockroom.reservations
          .reserve({ items, orderId, ttlSeconds: this.ttlSeconds })
          .then((reservation) => {
            reservationId = reservation.id;
            lines = reservation.lines.map((line) => ({ ...line }));
          }),
      );
      if (!kit) {
        // An undefined kit is an unknown SKU: nothing to hold.
        expect(result).toBe('INSUFFICIENT_STOCK');
        await check(model, real);
        return;
      }
      const demand = new Map<string, number>();
      for (const component of kit.components)
        demand.set(component.sku, component.quantity * this.quantity);
      if (plain) demand.set(plain.sku, (demand.get(plain.sku) ?? 0) + plain.quantity);
      const limits = plain ? model.limits.get(plain.sku) : undefined;
      const overLimit =
        plain !== null &&
        limits !== undefined &&
        ((limits.min !== null && plain.quantity < limits.min) ||
          (limits.max !== null && plain.quantity > limits.max));
      const fits = [...demand].every(
        ([sku, units]) => sellable(model, sku, this.warehouseId) >= units,
      );
      if (overLimit) expect(result).toBe('CART_LIMIT_EXCEEDED');
      else if (!fits) expect(result).toBe('INSUFFICIENT_STOCK');
      else {
        expect(result).toBe('ok');
        // Component lines by SKU, the plain units before the kit's.
        const expected = [...kit.components]
          .sort((left, right) => (left.sku < right.sku ? -1 : 1))
          .flatMap((component) => [
            ...(plain?.sku === component.sku
              ? [
                  {
                    sku: plain.sku,
                    warehouseId: this.warehouseId,
                    quantity: plain.quantity,
                    refunded: 0,
                    committed: 0,
                    released: 0,
                    preordered: 0,
                    receiptId: null,
                    expectedAt: null,
                    backordered: 0,
                  },
                ]
              : []),
            {
              sku: component.sku,
              warehouseId: this.warehouseId,
              quantity: component.quantity * this.quantity,
              refunded: 0,
              kitSku: KIT_SKU,
              committed: 0,
              released: 0,
              preordered: 0,
              receiptId: null,
              expectedAt: null,
              backordered: 0,
            },
          ]);
        expect(lines).toEqual(expected);
        for (const [sku, units] of demand) {
          const row = model.rows.get(keyOf(sku, this.warehouseId))!;
          row.available -= units;
          row.reserved += units;
        }
        model.reservations.push({
          id: reservationId,
          orderId,
          status: 'ACTIVE',
          lines: expected.map((line) => ({
            sku: line.sku,
            warehouseId: line.warehouseId,
            quantity: line.quantity,
            ...('kitSku' in line ? { kitSku: line.kitSku } : {}),
            refunded: 0,
            committed: 0,
            released: 0,
            preordered: 0,
            receiptId: null,
            expectedAt: null,
            backordered: 0,
          })),
          expiresAt: model.now + this.ttlSeconds * 1000,
        });
      }
      await check(model, real);
    }
    toString = () =>
      `reserveKit(${this.define ? `${this.define}, ` : ''}restock ${this.restock}, ${this.warehouseId}, ${this.quantity}, plain ${JSON.stringify(this.plain)}, ttl ${this.ttlSeconds})`;
  }

  /** The kit's availability: per warehouse the least floor(sellable ÷ quantity). */
  class CheckKit implements fc.AsyncCommand<M, R> {
    constructor(readonly quantity: number) {}
    check = () => true;
    async run(model: M, real: R) {
      const answer = await real.stockroom.availability.check({
        sku: KIT_SKU,
        quantity: this.quantity,
      });
      const kit = model.kits.get(KIT_SKU);
      let expected = 0;
      if (kit?.shipping === 'SINGLE_WAREHOUSE') {
        for (const warehouseId of helpers.warehouses) {
          expected += Math.min(
            ...kit.components.map((component) =>
              Math.floor(sellable(model, component.sku, warehouseId) / component.quantity),
            ),
          );
        }
      } else if (kit) {
        expected = Math.min(
          ...kit.components.map((component) =>
            Math.floor(
              helpers.warehouses.reduce(
                (sum, warehouseId) => sum + sellable(model, component.sku, warehouseId),
                0,
              ) / component.quantity,
            ),
          ),
        );
      }
      expect(answer.availableQuantity).toBe(expected);
      expect(answer.isAvailable).toBe(expected >= this.quantity);
      expect(answer.kit === undefined).toBe(kit === undefined);
      await check(model, real);
    }
    toString = () => `checkKit(${this.quantity})`;
  }

  /** Stocking a defined kit is refused and changes nothing. */
  class StockKit implements fc.AsyncCommand<M, R> {
    constructor(
      readonly warehouseId: string,
      readonly quantity: number,
    ) {}
    check = (model: Readonly<M>) => model.kits.has(KIT_SKU);
    async run(model: M, real: R) {
      const result = await outcome(
        real.stockroom.adjustments.adjust({
          sku: KIT_SKU,
          warehouseId: this.warehouseId,
          type: 'RESTOCK',
          quantity: this.quantity,
        }),
      );
      expect(result).toBe('KIT_NOT_STOCKABLE');
      await check(model, real);
    }
    toString = () => `stockKit(${this.warehouseId}, ${this.quantity})`;
  }

  const sku = fc.constantFrom(...helpers.skus);
  const warehouse = fc.constantFrom(...helpers.warehouses);
  const define = fc
    .tuple(
      fc.uniqueArray(fc.record({ sku, quantity: fc.integer({ min: 1, max: 3 }) }), {
        minLength: 1,
        maxLength: helpers.skus.length,
        selector: (component) => component.sku,
      }),
      fc.constantFrom<KitShipping>('SINGLE_WAREHOUSE', 'SPLIT'),
    )
    .map(([components, shipping]) => new DefineKit(components, shipping));
  return [
    define,
    fc
      .tuple(
        fc.option(define, { nil: null, freq: 8 }),
        fc.integer({ min: 0, max: 8 }),
        warehouse,
        fc.integer({ min: 1, max: 3 }),
        fc.option(fc.record({ pick: fc.nat(), quantity: fc.integer({ min: 1, max: 4 }) }), {
          nil: null,
        }),
        fc.integer({ min: 1, max: 120 }),
      )
      .map(
        ([definition, restock, warehouseId, quantity, plain, ttl]) =>
          new ReserveKit(definition, restock, warehouseId, quantity, plain, ttl),
      ),
    fc.integer({ min: 1, max: 6 }).map((quantity) => new CheckKit(quantity)),
    fc
      .tuple(warehouse, fc.integer({ min: 1, max: 5 }))
      .map(([warehouseId, quantity]) => new StockKit(warehouseId, quantity)),
  ];
}
