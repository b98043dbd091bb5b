import { expect, it } from 'vitest';
import type { TestServer } from '../support.js';
import { expectProblem } from './helpers.js';

const forge = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** Cursors a client may forge: each must answer 400 VALIDATION_FAILED on every listing. */
export const FORGED_CURSORS: readonly (readonly [string, string])[] = [
  ['a year PostgreSQL cannot store', forge(['-271821-04-20T00:00:00.000Z', 'x'])],
  ['a NUL character', forge(['2026-03-01T09:00:00.000Z', 'a\u0000b'])],
  ['a NUL in a one-part cursor', forge(['a\u0000'])],
  ['an integer beyond 2^53', forge([2 ** 64, 'x'])],
  ['a lone surrogate', forge(['2026-03-01T09:00:00.000Z', 'x\ud800'])],
  ['a three-part cursor with a huge version', forge(['a', 'b', 1e300])],
];

/** The listings that take a cursor. */
export const CURSOR_PATHS = [
  '/api/v1/transfers',
  '/api/v1/alerts',
  '/api/v1/inventory/CUR-1/movements',
  '/api/v1/warehouses',
  '/api/v1/inventory/warehouses/paris/stock',
] as const;

/** Finding 3: a forged cursor is a 400, never a 500, on every store. */
export function forgedCursorTests(server: () => TestServer): void {
  it.each(FORGED_CURSORS)(
    'a cursor holding %s answers 400 on every listing',
    async (_name, cursor) => {
      for (const path of CURSOR_PATHS) {
        const answer = await server().call('GET', `${path}?cursor=${cursor}`, { as: 'readonly' });
        expectProblem(answer, 400, 'VALIDATION_FAILED');
        expect(answer.body.errors, path).toEqual([
          { path: 'cursor', message: 'is not a valid cursor' },
        ]);
      }
    },
  );
}
