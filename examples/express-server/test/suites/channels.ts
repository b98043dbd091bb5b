import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, restock } from './helpers.js';

/**
 * /channels, and checks and reservations limited to a channel: the `westStorefront` key is bound
 * to channel `west`; `cappedStorefront` is shown quantities capped at 10.
 */
export function channelTests(server: () => TestServer): void {
  describe('sales channels', () => {
    it('creates channels (201), refusing duplicates, unknown warehouses, bad bodies and non-admins', async () => {
      await restock(server(), 'CH-1', 'paris', 30);
      await restock(server(), 'CH-1', 'berlin', 4);
      await restock(server(), 'CH-1', 'madrid', 50);
      const created = await server().call('POST', '/api/v1/channels', {
        body: { id: 'west', name: 'West', warehouseIds: ['paris', 'berlin', 'paris'] },
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toEqual({
        id: 'west',
        name: 'West',
        warehouseIds: ['berlin', 'paris'],
        display: { kind: 'exact' },
        version: 1,
        createdAt: server().clock.now().toISOString(),
        updatedAt: server().clock.now().toISOString(),
      });
      const east = await server().call('POST', '/api/v1/channels', {
        body: { id: 'east', name: 'East', warehouseIds: ['madrid'] },
      });
      expect(east.status, east.text).toBe(201);
      expectProblem(
        await server().call('POST', '/api/v1/channels', {
          body: { id: 'west', name: 'Again', warehouseIds: [] },
        }),
        409,
        'ALREADY_EXISTS',
      );
      expectProblem(
        await server().call('POST', '/api/v1/channels', {
          body: { id: 'north', name: 'North', warehouseIds: ['nowhere'] },
        }),
        404,
        'NOT_FOUND',
      );
      const bad = await server().call('POST', '/api/v1/channels', {
        body: { id: 'x', name: 'X', warehouseIds: [], display: { kind: 'capped', cap: 0 } },
      });
      expectProblem(bad, 400, 'VALIDATION_FAILED');
      expect(bad.body.errors).toEqual([
        { path: 'display.cap', message: 'must be an integer from 1 to 1000000' },
      ]);
      expectProblem(
        await server().call('POST', '/api/v1/channels', {
          as: 'storefront',
          body: { id: 'y', name: 'Y', warehouseIds: [] },
        }),
        403,
        'FORBIDDEN',
      );
    });

    it('lists, reads and changes channels', async () => {
      const list = await server().call('GET', '/api/v1/channels', { as: 'readonly' });
      expect(list.status).toBe(200);
      expect(list.body.items.map((channel: { id: string }) => channel.id)).toEqual([
        'east',
        'west',
      ]);
      expect(list.body.nextCursor).toBeNull();
      const unknown = await server().call('GET', '/api/v1/channels?limit=5');
      expectProblem(unknown, 400, 'VALIDATION_FAILED');
      expect(unknown.body.errors).toEqual([{ path: 'limit', message: 'is not a known field' }]);
      expect(
        (await server().call('GET', '/api/v1/channels/west', { as: 'readonly' })).body.name,
      ).toBe('West');
      expectProblem(await server().call('GET', '/api/v1/channels/nope'), 404, 'NOT_FOUND');
      const changed = await server().call('PATCH', '/api/v1/channels/west', {
        body: { display: { kind: 'levels', lowStockAt: 5 } },
      });
      expect(changed.status, changed.text).toBe(200);
      expect(changed.body).toMatchObject({
        warehouseIds: ['berlin', 'paris'],
        display: { kind: 'levels', lowStockAt: 5 },
        version: 2,
      });
      expectProblem(
        await server().call('PATCH', '/api/v1/channels/nope', { body: { name: 'N' } }),
        404,
        'NOT_FOUND',
      );
    });

    it('an admin check naming a channel sees its warehouses only, in exact numbers', async () => {
      const answer = await server().call(
        'GET',
        '/api/v1/inventory/check?sku=CH-1&quantity=35&channelId=west',
      );
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toEqual({
        sku: 'CH-1',
        requestedQuantity: 35,
        isAvailable: false,
        wouldBackorder: false,
        availableQuantity: 34,
        display: { strategy: 'exact', level: 'IN_STOCK', text: '34', quantity: 34 },
        channelId: 'west',
        warehouses: [
          {
            warehouseId: 'paris',
            warehouseName: 'Paris',
            availableQuantity: 30,
            display: { strategy: 'exact', level: 'IN_STOCK', text: '30', quantity: 30 },
          },
          {
            warehouseId: 'berlin',
            warehouseName: 'Berlin',
            availableQuantity: 4,
            display: { strategy: 'exact', level: 'IN_STOCK', text: '4', quantity: 4 },
          },
        ],
      });
      const plain = await server().call('GET', '/api/v1/inventory/check?sku=CH-1&quantity=35');
      expect(plain.body).toMatchObject({ isAvailable: true, availableQuantity: 84 });
      expect(plain.body.display).toBeUndefined();
      expectProblem(
        await server().call('GET', '/api/v1/inventory/check?sku=CH-1&quantity=1&channelId=nope'),
        404,
        'NOT_FOUND',
      );
    });

    it("a channel-bound key sees only its channel's stock, as its channel's levels", async () => {
      const answer = await server().call('GET', '/api/v1/inventory/check?sku=CH-1&quantity=2', {
        as: 'westStorefront',
      });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body).toMatchObject({
        isAvailable: true,
        availableQuantity: null,
        channelId: 'west',
        display: { strategy: 'levels', level: 'IN_STOCK', text: 'IN_STOCK', quantity: null },
      });
      expect(
        answer.body.warehouses.map(
          (line: {
            warehouseId: string;
            availableQuantity: unknown;
            display: { level: string };
          }) => [line.warehouseId, line.availableQuantity, line.display.level],
        ),
      ).toEqual([
        ['paris', null, 'IN_STOCK'],
        ['berlin', null, 'LOW_STOCK'],
      ]);
      // Naming its own channel is the same; naming another is refused.
      const own = await server().call(
        'GET',
        '/api/v1/inventory/check?sku=CH-1&quantity=2&channelId=west',
        { as: 'westStorefront' },
      );
      expect(own.body).toEqual(answer.body);
      expectProblem(
        await server().call('GET', '/api/v1/inventory/check?sku=CH-1&quantity=2&channelId=east', {
          as: 'westStorefront',
        }),
        403,
        'FORBIDDEN',
      );
      // Everything that shows stock beyond the channel, or exact numbers, is closed to it.
      for (const path of [
        '/api/v1/inventory/CH-1',
        '/api/v1/inventory/CH-1/movements',
        '/api/v1/inventory/low-stock',
        '/api/v1/warehouses',
        '/api/v1/channels',
        '/api/v1/channels/east',
      ]) {
        expectProblem(await server().call('GET', path, { as: 'westStorefront' }), 403, 'FORBIDDEN');
      }
      const ownChannel = await server().call('GET', '/api/v1/channels/west', {
        as: 'westStorefront',
      });
      expect(ownChannel.status).toBe(200);
    });

    it('an unbound storefront naming a channel is shown the channel’s strategy; a capped key sees "10+"', async () => {
      const levels = await server().call(
        'GET',
        '/api/v1/inventory/check?sku=CH-1&quantity=2&channelId=west',
        { as: 'storefront' },
      );
      expect(levels.body).toMatchObject({
        availableQuantity: null,
        display: { strategy: 'levels' },
      });
      const capped = await server().call('GET', '/api/v1/inventory/check?sku=CH-1&quantity=2', {
        as: 'cappedStorefront',
      });
      expect(capped.status, capped.text).toBe(200);
      expect(capped.body).toMatchObject({
        availableQuantity: 10,
        display: { strategy: 'capped', level: 'IN_STOCK', text: '10+', quantity: 10 },
      });
      expect(
        capped.body.warehouses.map((line: { warehouseId: string; display: { text: string } }) => [
          line.warehouseId,
          line.display.text,
        ]),
      ).toEqual([
        ['madrid', '10+'],
        ['paris', '10+'],
        ['berlin', '4'],
      ]);
    });

    it("a channel-bound key cannot reserve another channel's stock", async () => {
      const hold = await server().call('POST', '/api/v1/reservations', {
        as: 'westStorefront',
        body: { items: [{ sku: 'CH-1', quantity: 34 }] },
      });
      expect(hold.status, hold.text).toBe(201);
      expect(
        hold.body.allocations.map((line: { warehouseId: string; quantity: number }) => [
          line.warehouseId,
          line.quantity,
        ]),
      ).toEqual([
        ['berlin', 4],
        ['paris', 30],
      ]);
      // Madrid still holds 50, but not for this key; the refusal shows levels, as its checks do.
      const refused = await server().call('POST', '/api/v1/reservations', {
        as: 'westStorefront',
        body: { items: [{ sku: 'CH-1', quantity: 1 }] },
      });
      expectProblem(refused, 409, 'INSUFFICIENT_STOCK');
      expect(refused.body.shortfalls).toEqual([
        { sku: 'CH-1', requested: 1, level: 'OUT_OF_STOCK' },
      ]);
      const capped = await server().call('POST', '/api/v1/reservations', {
        as: 'cappedStorefront',
        body: { items: [{ sku: 'CH-1', quantity: 1000 }] },
      });
      expectProblem(capped, 409, 'INSUFFICIENT_STOCK');
      expect(capped.body.shortfalls).toEqual([{ sku: 'CH-1', requested: 1000, available: 10 }]);
      const exact = await server().call('POST', '/api/v1/reservations', {
        body: { items: [{ sku: 'CH-1', quantity: 1000 }] },
      });
      expect(exact.body.shortfalls).toEqual([{ sku: 'CH-1', requested: 1000, available: 50 }]);
      expectProblem(
        await server().call('POST', '/api/v1/reservations', {
          as: 'westStorefront',
          body: { items: [{ sku: 'CH-1', quantity: 1, warehouseId: 'madrid' }] },
        }),
        409,
        'INSUFFICIENT_STOCK',
      );
      expectProblem(
        await server().call('POST', '/api/v1/reservations', {
          as: 'westStorefront',
          body: { items: [{ sku: 'CH-1', quantity: 1 }], channelId: 'east' },
        }),
        403,
        'FORBIDDEN',
      );
      // Its own reservation it may read and release.
      const read = await server().call('GET', `/api/v1/reservations/${hold.body.reservationId}`, {
        as: 'westStorefront',
      });
      expect(read.status).toBe(200);
      const released = await server().call(
        'POST',
        `/api/v1/reservations/${hold.body.reservationId}/release`,
        { as: 'westStorefront' },
      );
      expect(released.body.status).toBe('RELEASED');
      // An admin naming the channel allocates from it; without, from anywhere.
      const east = await server().call('POST', '/api/v1/reservations', {
        body: { items: [{ sku: 'CH-1', quantity: 50 }], channelId: 'east' },
      });
      expect(east.body.allocations).toEqual([{ sku: 'CH-1', warehouseId: 'madrid', quantity: 50 }]);
      const stock = await server().call('GET', '/api/v1/inventory/CH-1');
      expect(stock.body).toMatchObject({ available: 34, reserved: 50 });
      await server().call('POST', `/api/v1/reservations/${east.body.reservationId}/release`);
    });

    it('deletes a channel (200), then 404', async () => {
      const deleted = await server().call('DELETE', '/api/v1/channels/east');
      expect(deleted.status, deleted.text).toBe(200);
      expect(deleted.body.id).toBe('east');
      expectProblem(await server().call('DELETE', '/api/v1/channels/east'), 404, 'NOT_FOUND');
      expectProblem(
        await server().call('POST', '/api/v1/reservations', {
          body: { items: [{ sku: 'CH-1', quantity: 1 }], channelId: 'east' },
        }),
        404,
        'NOT_FOUND',
      );
    });
  });
}
