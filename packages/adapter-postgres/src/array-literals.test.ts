import { describe, expect, it } from 'vitest';
import { arrayLiteral, arrayLiteralOf } from './array-literals.js';

// The literal's text; that PostgreSQL reads every value back equal is bulk-writes.postgres.test.ts.
describe('arrayLiteral', () => {
  it('writes an empty array and a single element with their braces', () => {
    expect(arrayLiteral([], 'text')).toBe('{}');
    expect(arrayLiteral([], 'bigint')).toBe('{}');
    expect(arrayLiteral([7], 'bigint')).toBe('{7}');
    expect(arrayLiteral([null], 'text')).toBe('{NULL}');
    expect(arrayLiteral(['x'], 'text')).toBe('{x}');
  });

  it('quotes texts as the literal needs and keeps nulls apart from the text NULL', () => {
    expect(arrayLiteral(['a', 'say "hi"', 'back\\slash', null, 'NULL', ''], 'text')).toBe(
      '{a,"say \\"hi\\"","back\\\\slash",NULL,"NULL",""}',
    );
  });

  it('writes a text as it is unless the literal would read it otherwise', () => {
    const bare = ['BULK-000001', 'wh-1', 'mv_0190d3c2-7a4b-7c1d-8e2f-0123456789ab', 'ü€😀'];
    expect(arrayLiteral([...bare, '2026-12-06T18:00:00.123Z', "it's"], 'text')).toBe(
      `{${bare.join(',')},2026-12-06T18:00:00.123Z,it's}`,
    );
    // Any case of NULL, white space and control characters, delimiters and braces: quoted.
    const quoted = ['null', 'Null', 'nULL', 'a b', 'tab\there', 'line\nbreak', 'a,b', '{x}', 'x}'];
    expect(arrayLiteral(quoted, 'text')).toBe(`{${quoted.map((text) => `"${text}"`).join(',')}}`);
    // Four letters that are not NULL need no quotes.
    expect(arrayLiteral(['nulls', 'nul', 'NUL!', 'wh-2'], 'text')).toBe('{nulls,nul,NUL!,wh-2}');
  });

  it('writes a text repeated by the next rows every time, quoted or not', () => {
    expect(arrayLiteral(['a', 'a', null, 'a', 'b c', 'b c', '', ''], 'text')).toBe(
      '{a,a,NULL,a,"b c","b c","",""}',
    );
  });

  it('writes numbers, booleans and times as epoch milliseconds', () => {
    expect(arrayLiteral([1, -2, 0, undefined], 'bigint')).toBe('{1,-2,0,NULL}');
    expect(arrayLiteral([true, false], 'boolean')).toBe('{t,f}');
    expect(
      arrayLiteral([new Date('2026-12-06T18:00:00.123Z'), new Date(-1), null], 'timestamptz'),
    ).toBe(`{${Date.parse('2026-12-06T18:00:00.123Z')},-1,NULL}`);
  });

  it('writes a time repeated by the next rows, and one after a null, every time', () => {
    const now = new Date('2026-12-06T18:00:00.123Z');
    const later = new Date('2026-12-06T18:00:01Z');
    expect(arrayLiteral([now, now, null, now, later, now], 'timestamptz')).toBe(
      `{${now.getTime()},${now.getTime()},NULL,${now.getTime()},${later.getTime()},${now.getTime()}}`,
    );
  });
});

describe('arrayLiteralOf', () => {
  it('reads each row through its pick, without an array of the values', () => {
    const rows = [
      { id: 'a', quantity: 1 },
      { id: 'b c', quantity: 2 },
    ];
    expect(arrayLiteralOf(rows, 'text', (row) => row.id)).toBe('{a,"b c"}');
    expect(arrayLiteralOf(rows, 'bigint', (row) => row.quantity)).toBe('{1,2}');
    expect(arrayLiteralOf([], 'text', (row: { id: string }) => row.id)).toBe('{}');
  });
});
