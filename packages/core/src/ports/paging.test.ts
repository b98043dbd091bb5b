import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/validation-error.js';
import { decodeCursor, decodeCursorAs, encodeCursor } from './paging.js';

const forge = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('page cursors', () => {
  it('round-trips the positions stores write', () => {
    const time = new Date('2026-03-01T09:00:00.000Z');
    expect(decodeCursorAs(encodeCursor([time.toISOString(), 'trf_1']), ['time', 'string'])).toEqual(
      [time, 'trf_1'],
    );
    expect(
      decodeCursorAs(encodeCursor(['SKU-1', 'paris', 7]), ['string', 'string', 'integer']),
    ).toEqual(['SKU-1', 'paris', 7]);
  });

  it.each([
    [
      'a time PostgreSQL cannot store',
      forge(['-271821-04-20T00:00:00.000Z', 'x']),
      ['time', 'string'],
    ],
    ['a year past 9999', forge(['+275760-09-13T00:00:00.000Z', 'x']), ['time', 'string']],
    ['a date that rolls over', forge(['2026-02-31T00:00:00.000Z', 'x']), ['time', 'string']],
    ['a time in another format', forge(['March 1, 2026', 'x']), ['time', 'string']],
    ['a NUL in a string', forge(['2026-03-01T09:00:00.000Z', 'a\u0000b']), ['time', 'string']],
    ['a lone surrogate', forge(['x\ud800']), ['string']],
    ['an unsafe integer', forge(['a', 'b', 2 ** 60]), ['string', 'string', 'integer']],
    ['a fraction for an integer', forge(['a', 'b', 1.5]), ['string', 'string', 'integer']],
    ['a number for a string', forge([5]), ['string']],
    ['the wrong arity', forge(['a', 'b']), ['string']],
    ['not JSON', Buffer.from('{{{').toString('base64url'), ['string']],
    ['not base64url', 'a+b/c=', ['string']],
    ['too long', 'A'.repeat(1025), ['string']],
  ] as const)('refuses %s with VALIDATION_FAILED', (_name, cursor, parts) => {
    expect(() => decodeCursorAs(cursor, parts)).toThrow(ValidationError);
  });

  it('decodeCursor refuses NUL, lone surrogates and non-finite numbers too', () => {
    expect(() => decodeCursor(forge(['a\u0000']), 1)).toThrow(ValidationError);
    expect(() => decodeCursor(forge(['\udc00']), 1)).toThrow(ValidationError);
    expect(() => decodeCursor(Buffer.from('[1e999]').toString('base64url'), 1)).toThrow(
      ValidationError,
    );
    expect(decodeCursor(encodeCursor(['a', 3]), 2)).toEqual(['a', 3]);
  });
});
