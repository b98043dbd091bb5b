import { describe, expect, it } from 'vitest';
import { arrayLiteral } from './array-literals.js';

// The literal's text; that PostgreSQL reads every value back equal is bulk-writes.postgres.test.ts.
describe('arrayLiteral', () => {
  it('writes an empty array and a single element with their braces', () => {
    expect(arrayLiteral([], 'text')).toBe('{}');
    expect(arrayLiteral([], 'bigint')).toBe('{}');
    expect(arrayLiteral([7], 'bigint')).toBe('{7}');
    expect(arrayLiteral([null], 'text')).toBe('{NULL}');
  });

  it('quotes texts as the literal needs and keeps nulls apart from the text NULL', () => {
    expect(arrayLiteral(['a', 'say "hi"', 'back\\slash', null, 'NULL', ''], 'text')).toBe(
      '{"a","say \\"hi\\"","back\\\\slash",NULL,"NULL",""}',
    );
  });

  it('writes numbers, booleans and times as epoch milliseconds', () => {
    expect(arrayLiteral([1, -2, 0, undefined], 'bigint')).toBe('{1,-2,0,NULL}');
    expect(arrayLiteral([true, false], 'boolean')).toBe('{t,f}');
    expect(
      arrayLiteral([new Date('2026-12-06T18:00:00.123Z'), new Date(-1), null], 'timestamptz'),
    ).toBe(`{${Date.parse('2026-12-06T18:00:00.123Z')},-1,NULL}`);
  });
});
