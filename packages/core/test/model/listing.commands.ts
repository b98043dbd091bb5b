import type fc from 'fast-check';
import { expect } from 'vitest';
import type { Reservation, ReservationFilter, Stockroom } from '../../src/index.js';
import { readAll } from '../../src/testing/index.js';

// Commands of the model-based test for the reservation listing and the cart check in a channel.
// They read only, so they need no more of the model than these structural views of it.

/** What the listing commands read of the model. */
export interface ListingModel {
  readonly reservations: ReadonlyArray<{
    readonly id: string;
    readonly orderId: string;
    readonly status: Reservation['status'];
    readonly lines: ReadonlyArray<{ readonly sku: string; readonly warehouseId: string }>;
    readonly expiresAt: number;
  }>;
  readonly rows: ReadonlyMap<string, { readonly available: number }>;
  readonly safety: ReadonlyMap<string, number>;
  readonly channel: readonly string[] | null;
  readonly now: number;
}

/** What the listing commands use of the system under test. */
export interface ListingReal {
  readonly stockroom: Stockroom;
}

type ListingCommand = fc.AsyncCommand<ListingModel, ListingReal>;

/** A listing filter drawn by the generator; `order` picks one of the model's orders. */
export interface DrawnFilter {
  readonly sku?: string;
  readonly warehouseId?: string;
  readonly status?: Reservation['status'];
  readonly order?: number;
  /** Expiry bounds, in seconds from the model's now. */
  readonly expiresFrom?: number;
  readonly expiresTo?: number;
}

/**
 * Lists reservations with a drawn filter, in pages of `limit`, and checks the answer against the
 * model: exactly the matching reservations, each once, newest first by (createdAt, id).
 */
export class ListReservations implements ListingCommand {
  constructor(
    readonly drawn: DrawnFilter,
    readonly limit: number,
  ) {}
  check = () => true;
  async run(model: ListingModel, real: ListingReal) {
    const orderId =
      this.drawn.order === undefined || model.reservations.length === 0
        ? undefined
        : model.reservations[this.drawn.order % model.reservations.length]!.orderId;
    const at = (seconds: number | undefined) =>
      seconds === undefined ? undefined : new Date(model.now + seconds * 1000);
    const bounds = {
      expiresFrom: at(this.drawn.expiresFrom),
      expiresTo: at(this.drawn.expiresTo),
    };
    const filter: ReservationFilter = {
      ...(this.drawn.sku === undefined ? {} : { sku: this.drawn.sku }),
      ...(this.drawn.warehouseId === undefined ? {} : { warehouseId: this.drawn.warehouseId }),
      ...(this.drawn.status === undefined ? {} : { status: this.drawn.status }),
      ...(orderId === undefined ? {} : { orderId }),
      ...(bounds.expiresFrom === undefined ? {} : { expiresFrom: bounds.expiresFrom }),
      ...(bounds.expiresTo === undefined ? {} : { expiresTo: bounds.expiresTo }),
    };
    const reversed =
      bounds.expiresFrom !== undefined &&
      bounds.expiresTo !== undefined &&
      bounds.expiresFrom > bounds.expiresTo;
    if (reversed) {
      await expect(real.stockroom.reservations.list(filter)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      return;
    }
    const served: Reservation[] = [];
    let cursor: string | null = null;
    do {
      const page = await real.stockroom.reservations.list(filter, { limit: this.limit, cursor });
      expect(page.items.length).toBeLessThanOrEqual(this.limit);
      served.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const expected = model.reservations.filter(
      (item) =>
        (filter.status === undefined || item.status === filter.status) &&
        (filter.orderId === undefined || item.orderId === filter.orderId) &&
        (bounds.expiresFrom === undefined || item.expiresAt >= bounds.expiresFrom.getTime()) &&
        (bounds.expiresTo === undefined || item.expiresAt < bounds.expiresTo.getTime()) &&
        item.lines.some(
          (line) =>
            (filter.sku === undefined || line.sku === filter.sku) &&
            (filter.warehouseId === undefined || line.warehouseId === filter.warehouseId),
        ),
    );
    // Reservations of other features' model parts (kits, preorders, backorders) are checked by
    // their own commands: this one compares the reservations the main model tracks.
    const known = new Set(model.reservations.map((item) => item.id));
    expect(
      served
        .filter((item) => known.has(item.id))
        .map((item) => item.id)
        .sort(),
    ).toEqual(expected.map((item) => item.id).sort());
    const keys = served.map((item) => [item.createdAt.getTime(), item.id] as const);
    for (let index = 1; index < keys.length; index += 1) {
      const [time, id] = keys[index]!;
      const [previousTime, previousId] = keys[index - 1]!;
      expect(time < previousTime || (time === previousTime && id < previousId)).toBe(true);
    }
    // One page holds the same list.
    const whole = await readAll((page) => real.stockroom.reservations.list(filter, page));
    expect(whole.map((item) => item.id)).toEqual(served.map((item) => item.id));
  }
  toString = () => `listReservations(${JSON.stringify(this.drawn)}, limit ${this.limit})`;
}

/**
 * A whole-cart check in channel `web`: NOT_FOUND before the channel exists; then each line's
 * `availableQuantity` is the sellable units of the channel's warehouses and every allocation is
 * in one of them.
 */
export class CheckCartInChannel implements ListingCommand {
  constructor(readonly items: ReadonlyArray<{ sku: string; quantity: number }>) {}
  check = () => true;
  async run(model: ListingModel, real: ListingReal) {
    const request = { items: this.items, channelId: 'web' };
    const channel = model.channel;
    if (channel === null) {
      await expect(real.stockroom.carts.check(request)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      return;
    }
    const answer = await real.stockroom.carts.check(request);
    expect(answer.channelId).toBe('web');
    for (const line of answer.lines) {
      const sellable = channel.reduce((sum, warehouseId) => {
        const key = `${line.sku}@${warehouseId}`;
        const available = model.rows.get(key)?.available ?? 0;
        return sum + Math.max(0, available - (model.safety.get(key) ?? 0));
      }, 0);
      expect(line.availableQuantity).toBe(sellable);
      expect(line.isAvailable).toBe(sellable >= line.requestedQuantity);
    }
    for (const allocation of answer.allocations) {
      expect(channel).toContain(allocation.warehouseId);
    }
  }
  toString = () => `checkCartInChannel(${JSON.stringify(this.items)})`;
}
