import { describe, expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem, restock } from './helpers.js';

/** /warehouses. */
export function warehouseTests(server: () => TestServer): void {
  describe('warehouses', () => {
    it('creates a warehouse (201) with defaults, and refuses a duplicate id (409 ALREADY_EXISTS)', async () => {
      const created = await server().call('POST', '/api/v1/warehouses', {
        body: {
          id: 'lyon',
          name: 'Lyon',
          city: 'Lyon',
          country: 'FR',
          latitude: 45.764,
          longitude: 4.8357,
          capacity: 1000,
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: 'lyon',
        code: 'lyon',
        name: 'Lyon',
        city: 'Lyon',
        country: 'FR',
        latitude: 45.764,
        longitude: 4.8357,
        capacity: 1000,
        status: 'ACTIVE',
        priority: 100,
        occupancy: 0,
      });
      const duplicate = await server().call('POST', '/api/v1/warehouses', {
        body: { id: 'lyon', name: 'Other' },
      });
      expectProblem(duplicate, 409, 'ALREADY_EXISTS');
      expect((await server().call('GET', '/api/v1/warehouses/lyon')).body.name).toBe('Lyon');
    });

    it('gets a warehouse with its occupancy, and answers 404 for an unknown one', async () => {
      await restock(server(), 'WH-OCC', 'lyon', 7);
      const found = await server().call('GET', '/api/v1/warehouses/lyon', { as: 'readonly' });
      expect(found.status).toBe(200);
      expect(found.body.occupancy).toBe(7);
      expectProblem(
        await server().call('GET', '/api/v1/warehouses/nowhere', { as: 'readonly' }),
        404,
        'NOT_FOUND',
      );
    });

    it('lists warehouses by id, paged with limit and cursor', async () => {
      const first = await server().call('GET', '/api/v1/warehouses?limit=2', { as: 'storefront' });
      expect(first.status).toBe(200);
      expect(first.body.items.map((item: { id: string }) => item.id)).toEqual(['berlin', 'lyon']);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await server().call(
        'GET',
        `/api/v1/warehouses?limit=2&cursor=${first.body.nextCursor}`,
      );
      expect(second.body.items.map((item: { id: string }) => item.id)).toEqual(['madrid', 'paris']);
      const all = await server().call('GET', '/api/v1/warehouses');
      expect(all.body.items.map((item: { id: string }) => item.id)).toEqual([
        'berlin',
        'lyon',
        'madrid',
        'paris',
      ]);
      expect(all.body.nextCursor).toBeNull();
      expectProblem(
        await server().call('GET', '/api/v1/warehouses?cursor=garbage'),
        400,
        'VALIDATION_FAILED',
      );
    });

    it('patches any subset of fields but the id; 404 for an unknown one; 400 for the id', async () => {
      const patched = await server().call('PATCH', '/api/v1/warehouses/lyon', {
        body: { status: 'MAINTENANCE', priority: 5, city: null },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        id: 'lyon',
        status: 'MAINTENANCE',
        priority: 5,
        city: null,
        name: 'Lyon',
        occupancy: 7,
      });
      expectProblem(
        await server().call('PATCH', '/api/v1/warehouses/nowhere', { body: { name: 'X' } }),
        404,
        'NOT_FOUND',
      );
      const withId = await server().call('PATCH', '/api/v1/warehouses/lyon', {
        body: { id: 'other' },
      });
      expectProblem(withId, 400, 'VALIDATION_FAILED');
      expect(withId.body.errors).toEqual([{ path: 'id', message: 'is not a known field' }]);
      expect((await server().call('GET', '/api/v1/warehouses/lyon')).body.status).toBe(
        'MAINTENANCE',
      );
    });
  });
}
