import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, reserve, restock } from './helpers.js';

type Item = { reservationId: string };
const idsOf = (body: { items: Item[] }) => body.items.map((item) => item.reservationId);

/** GET /reservations with filters and keyset paging. */
export function reservationListingTests(server: () => TestServer): void {
  describe('reservations: listing', () => {
    it('filters by SKU, warehouse, status, order and time ranges, newest first, paged', async () => {
      await restock(server(), 'LST-A', 'paris', 50);
      await restock(server(), 'LST-B', 'berlin', 50);
      const clock = server().clock;
      const created: string[] = [];
      const hold = async (body: unknown) => {
        created.push(clock.now().toISOString());
        const answer = await reserve(server(), body);
        expect(answer.status, answer.text).toBe(201);
        clock.advance(1000);
        return answer.body.reservationId as string;
      };
      const r1 = await hold({
        items: [{ sku: 'LST-A', quantity: 2, warehouseId: 'paris' }],
        orderId: 'lst-o1',
      });
      const r2 = await hold({
        items: [{ sku: 'LST-B', quantity: 1, warehouseId: 'berlin' }],
        orderId: 'lst-o2',
        ttlSeconds: 60,
      });
      const r3 = await hold({
        items: [
          { sku: 'LST-A', quantity: 1, warehouseId: 'paris' },
          { sku: 'LST-B', quantity: 1, warehouseId: 'berlin' },
        ],
        orderId: 'lst-o1',
      });
      const commit = await server().call('POST', `/api/v1/reservations/${r2}/commit`, {
        as: 'storefront',
      });
      expect(commit.status, commit.text).toBe(200);

      const list = async (query: string, as: 'admin' | 'readonly' | 'storefront' = 'readonly') => {
        const answer = await server().call('GET', `/api/v1/reservations?${query}`, { as });
        expect(answer.status, answer.text).toBe(200);
        return answer.body;
      };
      const bySku = await list('sku=LST-A');
      expect(idsOf(bySku)).toEqual([r3, r1]);
      expect(bySku.nextCursor).toBeNull();
      const single = await server().call('GET', `/api/v1/reservations/${r3}`);
      expect(bySku.items[0]).toEqual(single.body);
      expect(idsOf(await list('sku=LST-B&status=COMMITTED', 'storefront'))).toEqual([r2]);
      expect(idsOf(await list('sku=LST-B&status=ACTIVE'))).toEqual([r3]);
      expect(idsOf(await list('orderId=lst-o1', 'admin'))).toEqual([r3, r1]);
      expect(idsOf(await list('warehouseId=berlin&orderId=lst-o1'))).toEqual([r3]);
      const range = `createdFrom=${created[1]}&createdTo=${encodeURIComponent(created[2]!)}`;
      expect(idsOf(await list(`sku=LST-B&${range}`))).toEqual([r2]);
      // An offset is accepted: the same instant as created[0], written in UTC+01:00.
      const start = new Date(created[0]!);
      const local = `${new Date(start.getTime() + 3_600_000).toISOString().slice(0, 19)}+01:00`;
      expect(idsOf(await list(`sku=LST-A&createdFrom=${encodeURIComponent(local)}`))).toEqual([
        r3,
        r1,
      ]);
      // r2 expires 60 s after it was made, the others 600 s.
      const soon = new Date(new Date(created[1]!).getTime() + 61_000).toISOString();
      expect(idsOf(await list(`orderId=lst-o2&expiresTo=${soon}`))).toEqual([r2]);
      expect(idsOf(await list(`sku=LST-B&expiresFrom=${soon}`))).toEqual([r3]);

      const first = await list('sku=LST-A&limit=1');
      expect(idsOf(first)).toEqual([r3]);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await list(`sku=LST-A&limit=1&cursor=${first.nextCursor}`);
      expect(idsOf(second)).toEqual([r1]);
      expect(second.nextCursor).toBeNull();
    });

    it('answers 400 for malformed filters and cursors, 401 without a key, 403 to a bound key', async () => {
      const warehouses = await server().call('GET', '/api/v1/warehouses?limit=1');
      expect(warehouses.body.nextCursor).toEqual(expect.any(String));
      for (const query of [
        'status=LOST',
        'sku=',
        'sku=a&sku=b',
        'createdFrom=yesterday',
        'createdFrom=2026-13-01T00:00:00Z',
        'expiresTo=2026-03-01',
        'createdFrom=2026-03-02T00:00:00Z&createdTo=2026-03-01T00:00:00Z',
        'expiresFrom=2026-03-02T00:00:00Z&expiresTo=2026-03-01T00:00:00Z',
        'limit=0',
        'limit=1001',
        'cursor=not%20a%20cursor',
        'cursor=%00',
        `cursor=${warehouses.body.nextCursor}`,
        `cursor=${'A'.repeat(1025)}`,
        'owner=me',
      ]) {
        const answer = await server().call('GET', `/api/v1/reservations?${query}`);
        expectProblem(answer, 400, 'VALIDATION_FAILED');
      }
      const reversed = await server().call(
        'GET',
        '/api/v1/reservations?createdFrom=2026-03-02T00:00:00Z&createdTo=2026-03-01T00:00:00Z',
      );
      expect(reversed.body.errors).toEqual([
        { path: 'createdTo', message: 'must not be before createdFrom' },
      ]);
      expectProblem(
        await server().call('GET', '/api/v1/reservations', { as: 'none' }),
        401,
        'UNAUTHORIZED',
      );
      expectProblem(
        await server().call('GET', '/api/v1/reservations', { as: 'westStorefront' }),
        403,
        'FORBIDDEN',
      );
    });
  });
}

/** POST /inventory/check-cart in a sales channel (runs after the channel suite made `west`). */
export function cartChannelTests(server: () => TestServer): void {
  describe('inventory: whole-cart check in a sales channel', () => {
    const check = (body: unknown, as?: 'admin' | 'westStorefront' | 'cappedStorefront') =>
      server().call('POST', '/api/v1/inventory/check-cart', { body, ...(as ? { as } : {}) });

    it("an admin naming a channel sees the channel's warehouses only, in exact numbers", async () => {
      await restock(server(), 'CC-1', 'paris', 12);
      await restock(server(), 'CC-1', 'berlin', 3);
      await restock(server(), 'CC-1', 'madrid', 20);
      const everywhere = await check({ items: [{ sku: 'CC-1', quantity: 16 }] });
      expect(everywhere.status, everywhere.text).toBe(200);
      expect(everywhere.body).toMatchObject({
        isAvailable: true,
        lines: [{ availableQuantity: 35 }],
      });
      expect(everywhere.body.channelId).toBeUndefined();
      const west = await check({ items: [{ sku: 'CC-1', quantity: 16 }], channelId: 'west' });
      expect(west.status, west.text).toBe(200);
      expect(west.body).toMatchObject({
        isAvailable: false,
        channelId: 'west',
        allocations: [],
        lines: [{ availableQuantity: 15, display: { strategy: 'exact', quantity: 15 } }],
        shortfalls: [{ sku: 'CC-1', requested: 16, available: 15 }],
      });
      expectProblem(
        await check({ items: [{ sku: 'CC-1', quantity: 1 }], channelId: 'nope' }),
        404,
        'NOT_FOUND',
      );
      expectProblem(
        await check({ items: [{ sku: 'CC-1', quantity: 1 }], channelId: '' }),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('a bound key checks in its own channel, shown through its strategy; another channel is 403', async () => {
      const own = await check({ items: [{ sku: 'CC-1', quantity: 16 }] }, 'westStorefront');
      expect(own.status, own.text).toBe(200);
      expect(own.body).toMatchObject({
        isAvailable: false,
        channelId: 'west',
        lines: [{ availableQuantity: null, display: { strategy: 'levels', level: 'IN_STOCK' } }],
        shortfalls: [{ sku: 'CC-1', requested: 16, level: 'IN_STOCK' }],
      });
      expect(own.body.shortfalls[0].available).toBeUndefined();
      const fits = await check({ items: [{ sku: 'CC-1', quantity: 15 }] }, 'westStorefront');
      expect(fits.body).toMatchObject({ isAvailable: true, shortfalls: [] });
      expect(
        fits.body.allocations.map((line: { warehouseId: string }) => line.warehouseId).sort(),
      ).toEqual(['berlin', 'paris']);
      const pinned = await check(
        { items: [{ sku: 'CC-1', quantity: 1, warehouseId: 'madrid' }] },
        'westStorefront',
      );
      expect(pinned.body.isAvailable).toBe(false);
      expectProblem(
        await check({ items: [{ sku: 'CC-1', quantity: 1 }], channelId: 'east' }, 'westStorefront'),
        403,
        'FORBIDDEN',
      );
      const capped = await check({ items: [{ sku: 'CC-1', quantity: 40 }] }, 'cappedStorefront');
      expect(capped.status, capped.text).toBe(200);
      expect(capped.body).toMatchObject({
        isAvailable: false,
        lines: [{ availableQuantity: 10, display: { strategy: 'capped', text: '10+' } }],
        shortfalls: [{ sku: 'CC-1', requested: 40, available: 10 }],
      });
    });
  });
}
