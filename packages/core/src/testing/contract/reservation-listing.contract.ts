import { describe, expect, it } from 'vitest';
import type { Reservation } from '../../domain/reservation.js';
import type { ReservationFilter } from '../../ports/reservation-port.js';
import type { StockStoreContractOptions } from '../define-stock-store-contract.js';
import { readAll, seedWarehouses, stock } from '../fixtures.js';
import { type ContractWorld, useContractWorld } from './harness.js';

const SECOND = 1000;

async function seed(world: ContractWorld): Promise<void> {
  await seedWarehouses(world.stockroom);
  for (const [sku, warehouseId] of [
    ['A', 'paris'],
    ['A', 'london'],
    ['B', 'paris'],
    ['B', 'berlin'],
  ] as const) {
    await stock(world.stockroom, sku, warehouseId, 1000);
  }
}

/** Reservation listing: each filter, combined filters, keyset paging under new arrivals. */
export function reservationListingContract(options: StockStoreContractOptions): void {
  describe(`${options.name}: reservation listing`, () => {
    const world = useContractWorld(options);
    const ids = (items: readonly Reservation[]) => items.map((item) => item.id);
    const list = async (filter: ReservationFilter) =>
      ids(await readAll((page) => world.stockroom.reservations.list(filter, page)));

    it('filters by SKU, warehouse, status, order, creation and expiry, alone and combined', async () => {
      await seed(world);
      const t0 = world.clock.now().getTime();
      const at = (seconds: number) => new Date(t0 + seconds * SECOND);
      const reserve = world.stockroom.reservations;
      const r1 = await reserve.reserve({
        items: [{ sku: 'A', quantity: 2, warehouseId: 'paris' }],
        orderId: 'o1',
      });
      world.clock.advance(SECOND);
      const r2 = await reserve.reserve({
        items: [{ sku: 'B', quantity: 1, warehouseId: 'berlin' }],
        orderId: 'o2',
      });
      world.clock.advance(SECOND);
      const r3 = await reserve.reserve({
        items: [
          { sku: 'A', quantity: 1, warehouseId: 'london' },
          { sku: 'B', quantity: 1, warehouseId: 'paris' },
        ],
        orderId: 'o1',
        userId: 'u3',
      });
      world.clock.advance(SECOND);
      const r4 = await reserve.reserve({
        items: [{ sku: 'A', quantity: 3, warehouseId: 'paris' }],
        ttlSeconds: 60,
      });
      await reserve.commit(r4.id);
      world.clock.advance(SECOND);
      const r5 = await reserve.reserve({
        items: [{ sku: 'B', quantity: 2, warehouseId: 'paris' }],
        ttlSeconds: 1200,
      });
      await reserve.release(r5.id);

      expect(await list({})).toEqual(ids([r5, r4, r3, r2, r1]));
      expect(await list({ sku: 'A' })).toEqual(ids([r4, r3, r1]));
      expect(await list({ sku: 'B' })).toEqual(ids([r5, r3, r2]));
      expect(await list({ warehouseId: 'paris' })).toEqual(ids([r5, r4, r3, r1]));
      expect(await list({ warehouseId: 'berlin' })).toEqual(ids([r2]));
      // SKU and warehouse name one line: r3 holds A in London and B in Paris, not A in Paris.
      expect(await list({ sku: 'A', warehouseId: 'paris' })).toEqual(ids([r4, r1]));
      expect(await list({ status: 'ACTIVE' })).toEqual(ids([r3, r2, r1]));
      expect(await list({ status: 'COMMITTED' })).toEqual(ids([r4]));
      expect(await list({ status: 'RELEASED' })).toEqual(ids([r5]));
      expect(await list({ status: 'EXPIRED' })).toEqual([]);
      expect(await list({ orderId: 'o1' })).toEqual(ids([r3, r1]));
      expect(await list({ orderId: 'none' })).toEqual([]);
      expect(await list({ sku: 'NONE' })).toEqual([]);
      // Ranges are half-open: from inclusive, to exclusive.
      expect(await list({ createdFrom: at(1), createdTo: at(3) })).toEqual(ids([r3, r2]));
      expect(await list({ createdFrom: at(4) })).toEqual(ids([r5]));
      expect(await list({ createdTo: at(0) })).toEqual([]);
      // Expiries: r1 t0+600, r2 t0+601, r3 t0+602, r4 t0+63, r5 t0+1204.
      expect(await list({ expiresFrom: at(601) })).toEqual(ids([r5, r3, r2]));
      expect(await list({ expiresTo: at(601) })).toEqual(ids([r4, r1]));
      expect(await list({ expiresFrom: at(63), expiresTo: at(602) })).toEqual(ids([r4, r2, r1]));
      expect(await list({ sku: 'A', status: 'ACTIVE', orderId: 'o1', createdFrom: at(1) })).toEqual(
        ids([r3]),
      );
      expect(
        await list({
          warehouseId: 'paris',
          status: 'ACTIVE',
          expiresFrom: at(600),
          expiresTo: at(700),
        }),
      ).toEqual(ids([r3, r1]));
      expect(await list({ sku: 'B', createdFrom: at(1), createdTo: at(2) })).toEqual(ids([r2]));

      // Items are whole reservations, as `get` returns them.
      const page = await world.stockroom.reservations.list({ orderId: 'o1' }, { limit: 1 });
      expect(page.items).toEqual([await reserve.get(r3.id)]);
      expect(page.items[0]).toMatchObject({
        status: 'ACTIVE',
        orderId: 'o1',
        userId: 'u3',
        createdAt: at(2),
        expiresAt: at(602),
        lines: [
          {
            sku: 'A',
            warehouseId: 'london',
            quantity: 1,
            refunded: 0,
            committed: 0,
            released: 0,
            preordered: 0,
            receiptId: null,
            expectedAt: null,
            backordered: 0,
          },
          {
            sku: 'B',
            warehouseId: 'paris',
            quantity: 1,
            refunded: 0,
            committed: 0,
            released: 0,
            preordered: 0,
            receiptId: null,
            expectedAt: null,
            backordered: 0,
          },
        ],
      });
      expect(page.nextCursor).not.toBeNull();
      const last = await world.stockroom.reservations.list(
        { orderId: 'o1' },
        { limit: 1, cursor: page.nextCursor },
      );
      expect(ids(last.items)).toEqual([r1.id]);
      expect(last.nextCursor).toBeNull();
    });

    it('pages with no duplicates or omissions while new reservations arrive', async () => {
      await seed(world);
      const reserve = world.stockroom.reservations;
      const existing: Reservation[] = [];
      for (let index = 0; index < 23; index += 1) {
        // Some share a creation instant, so the id breaks ties inside the keyset.
        if (index % 3 === 0) world.clock.advance(SECOND);
        existing.push(
          await reserve.reserve({
            items: [{ sku: 'A', quantity: 1, warehouseId: index % 2 === 0 ? 'paris' : 'london' }],
          }),
        );
        if (index % 4 === 0) {
          await reserve.reserve({ items: [{ sku: 'B', quantity: 1, warehouseId: 'berlin' }] });
        }
      }
      const expected = [...existing]
        .sort((left, right) =>
          left.createdAt.getTime() !== right.createdAt.getTime()
            ? right.createdAt.getTime() - left.createdAt.getTime()
            : left.id < right.id
              ? 1
              : -1,
        )
        .map((item) => item.id);

      const served: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await reserve.list({ sku: 'A' }, { limit: 4, cursor });
        expect(page.items.length).toBeLessThanOrEqual(4);
        served.push(...ids(page.items));
        cursor = page.nextCursor;
        pages += 1;
        // Shoppers keep reserving while the listing pages.
        world.clock.advance(1);
        await reserve.reserve({ items: [{ sku: 'A', quantity: 1, warehouseId: 'paris' }] });
        await reserve.reserve({ items: [{ sku: 'B', quantity: 1, warehouseId: 'paris' }] });
      } while (cursor);
      expect(pages).toBe(6);
      expect(new Set(served).size).toBe(served.length);
      expect(served).toEqual(expected);
      // The ones that arrived meanwhile are all there on a fresh listing, newest first.
      expect(await list({ sku: 'A' })).toHaveLength(23 + 6);
    });

    it('refuses a malformed filter or cursor with VALIDATION_FAILED', async () => {
      await seed(world);
      await world.stockroom.reservations.reserve({ items: [{ sku: 'A', quantity: 1 }] });
      const reservations = world.stockroom.reservations;
      for (const filter of [
        { status: 'PENDING' },
        { sku: '' },
        { warehouseId: ' padded ' },
        { orderId: 'x'.repeat(129) },
        { createdFrom: new Date(Number.NaN) },
        { expiresTo: new Date('+010000-01-01T00:00:00.000Z') },
        { createdFrom: new Date('2026-03-02T00:00:00.000Z'), createdTo: new Date('2026-03-01') },
        { expiresFrom: new Date('2026-03-02T00:00:00.000Z'), expiresTo: new Date('2026-03-01') },
      ] as unknown as ReservationFilter[]) {
        await expect(reservations.list(filter)).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
      }
      const stockCursor = Buffer.from(JSON.stringify(['A']), 'utf8').toString('base64url');
      for (const cursor of ['not a cursor!', 'e30', stockCursor]) {
        await expect(reservations.list({}, { cursor })).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
      }
    });
  });
}
